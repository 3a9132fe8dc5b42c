// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  document.documentElement.classList.add("js");
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("submit", function (ev) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
  // Timelines: a label that does not fit its bar goes outside it (to the left near the right edge); a tap
  // or click on a bar shows its details under the day first, a second one opens its page.
  function fitTimelineLabels(root) {
    root.querySelectorAll(".tl-bar").forEach(function (bar) {
      var text = bar.querySelector(".tl-text");
      bar.classList.remove("tl-narrow", "tl-flip");
      if (!text || getComputedStyle(bar).position !== "absolute" || bar.scrollWidth <= bar.clientWidth + 1) { return; }
      bar.classList.add("tl-narrow");
      var track = bar.parentElement;
      if (track && bar.offsetLeft + bar.offsetWidth + text.offsetWidth + 8 > track.clientWidth) {
        bar.classList.add("tl-flip");
      }
    });
  }
  function timelineDetails(root) {
    root.querySelectorAll(".tl[data-details]").forEach(function (tl) {
      if (tl.dataset.bound) { return; }
      tl.dataset.bound = "1";
      var panel = tl.querySelector(".tl-detail");
      tl.addEventListener("click", function (ev) {
        var bar = ev.target.closest(".tl-bar");
        if (!bar || !panel) { return; }
        if (bar.classList.contains("tl-chosen")) { return; }  // second tap: follow the link
        ev.preventDefault();
        tl.querySelectorAll(".tl-chosen").forEach(function (b) { b.classList.remove("tl-chosen"); });
        bar.classList.add("tl-chosen");
        panel.textContent = bar.getAttribute("title") || bar.textContent;
        if (bar.href) {
          var open = document.createElement("a");
          open.href = bar.href;
          open.textContent = " → " + (tl.dataset.open || "");
          panel.appendChild(open);
        }
        panel.hidden = false;
      });
    });
  }
  function timelines(root) { fitTimelineLabels(root); timelineDetails(root); }
  timelines(document);
  window.addEventListener("resize", function () { fitTimelineLabels(document); });
  document.body.addEventListener("htmx:afterSwap", function (ev) { timelines(ev.target); });
  document.body.addEventListener("htmx:configRequest", function (ev) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) { ev.detail.headers["X-CSRFToken"] = token.value; }
  });
});

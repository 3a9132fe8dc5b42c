// The officer's dispatches: a WebSocket on the officer's own channel; a dispatch rings, vibrates and
// refreshes the list. Without WebSockets htmx refreshes it every 15 s.
(function () {
  "use strict";
  var retry = 1000;
  function box() { return document.getElementById("my-dispatches"); }
  function state(s) {
    var node = document.getElementById("officer-connection");
    window.anttOfficerLive = s === "live";
    if (node) { node.dataset.state = s; node.textContent = s === "live" ? node.dataset.labelLive : node.dataset.labelPolling; }
  }
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    if (window.anttOfficerLive && evt.detail.elt && evt.detail.elt.id === "my-dispatches") { evt.preventDefault(); }
  });
  function ring() {
    try { if (navigator.vibrate) { navigator.vibrate([300, 150, 300, 150, 600]); } } catch (e) { /* no vibration */ }
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.4, 0.8].forEach(function (t) {
        var osc = ctx.createOscillator();
        osc.frequency.value = 988;
        osc.connect(ctx.destination);
        osc.start(ctx.currentTime + t);
        osc.stop(ctx.currentTime + t + 0.25);
      });
    } catch (e) { /* no audio */ }
  }
  function reload() {
    var node = box();
    if (!node) { return; }
    fetch(node.dataset.url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#my-dispatches");
        var old = box();
        if (fresh && old) { old.replaceWith(fresh); if (window.htmx) { window.htmx.process(fresh); } state(window.anttOfficerLive ? "live" : "polling"); }
        document.body.dataset.dispatches = String(document.querySelectorAll(".ops-dispatch").length);
      });
  }
  function connect() {
    var node = box();
    if (!node || !("WebSocket" in window)) { return; }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + node.dataset.socketPath);
    socket.onopen = function () { retry = 1000; state("live"); reload(); };
    socket.onmessage = function (evt) {
      var msg;
      try { msg = JSON.parse(evt.data); } catch (e) { return; }
      if (msg.type === "dispatch") {
        if (msg.kind === "dispatch") { ring(); }
        reload();
      }
    };
    socket.onclose = function () { state("polling"); setTimeout(connect, retry); retry = Math.min(retry * 2, 10000); };
  }
  document.body.dataset.dispatches = String(document.querySelectorAll(".ops-dispatch").length);
  connect();
})();

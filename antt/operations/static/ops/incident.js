// The incident page's shortcuts: 1-9 dispatch the n-th suggestion, a acknowledge, o on scene, r resolve,
// c close, n write a note, b back to the board.
(function () {
  "use strict";
  document.addEventListener("keydown", function (evt) {
    var tag = (evt.target.tagName || "").toLowerCase();
    if (evt.ctrlKey || evt.metaKey || evt.altKey || tag === "input" || tag === "select" || tag === "textarea") { return; }
    var button = null;
    if (/^[1-9]$/.test(evt.key)) { button = document.querySelector('[data-suggestion="' + evt.key + '"]'); }
    else if (["a", "o", "r", "c"].indexOf(evt.key) >= 0) { button = document.querySelector('[data-key="' + evt.key + '"]'); }
    else if (evt.key === "n") { var note = document.getElementById("note"); if (note) { note.focus(); evt.preventDefault(); } }
    else if (evt.key === "b") { var back = document.querySelector('[data-key="board"]'); if (back) { location.href = back.href; } }
    if (button) { evt.preventDefault(); button.click(); }
  });
})();

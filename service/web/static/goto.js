// A link to /documents/ID#at-N (from the accuracy page) scrolls to the part
// of the text that holds character N and focuses it.
(function () {
  "use strict";
  function go() {
    var match = /^#at-(\d+)$/.exec(window.location.hash);
    var text = document.getElementById("doc-text");
    if (!match || !text) { return; }
    var offset = parseInt(match[1], 10);
    var pieces = text.querySelectorAll("[data-start]");
    for (var i = 0; i < pieces.length; i += 1) {
      var start = parseInt(pieces[i].getAttribute("data-start"), 10);
      var end = parseInt(pieces[i].getAttribute("data-end"), 10);
      if (start <= offset && offset < end) {
        pieces[i].scrollIntoView({ block: "center" });
        pieces[i].focus({ preventScroll: true });
        pieces[i].classList.add("target");
        return;
      }
    }
    text.scrollIntoView();
  }
  window.addEventListener("hashchange", go);
  document.addEventListener("DOMContentLoaded", go);
})();

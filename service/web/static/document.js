// Citation buttons scroll the text to their span and mark it "current";
// focusing a clause announces its type and score in the live region.
// Clause marks are not tab stops (a long license has thousands): `j` and
// `k` move between clauses, in review.js, which also picks the clause.
(function () {
  "use strict";
  var text = document.getElementById("doc-text");
  var info = document.getElementById("clause-info");
  if (!text) { return; }
  function piecesOf(start, end) {
    return Array.prototype.filter.call(text.querySelectorAll("[data-start]"), function (el) {
      return Number(el.dataset.start) >= start && Number(el.dataset.end) <= end;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.cite");
    if (!button) { return; }
    var pieces = piecesOf(Number(button.dataset.start), Number(button.dataset.end));
    Array.prototype.forEach.call(text.querySelectorAll(".current"), function (el) {
      el.classList.remove("current");
    });
    document.querySelectorAll("button.cite[aria-current]").forEach(function (el) {
      el.removeAttribute("aria-current");
    });
    if (!pieces.length) { return; }
    pieces.forEach(function (el) { el.classList.add("current"); });
    button.setAttribute("aria-current", "true");
    pieces[0].scrollIntoView({ block: "center" });
    pieces[0].focus({ preventScroll: true });
  });

  text.addEventListener("focusin", function (event) {
    var mark = event.target.closest("mark.clause");
    if (mark && info) { info.textContent = mark.title; }
  });
})();

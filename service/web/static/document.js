// Citation buttons scroll the text to their span and mark it "current";
// focusing a clause announces its type and score in the live region.
// Clause marks are not tab stops (a long license has thousands): `j` moves
// focus to the next clause and `k` to the previous one, except while typing
// in a form field or with a modifier key held.
(function () {
  "use strict";
  var text = document.getElementById("doc-text");
  var info = document.getElementById("clause-info");
  if (!text) { return; }
  var clauses = Array.prototype.slice.call(text.querySelectorAll("mark.clause.opens"));
  var starts = clauses.map(function (el) { return Number(el.dataset.start); });
  var current = -1;

  function piecesOf(start, end) {
    return Array.prototype.filter.call(text.querySelectorAll("[data-start]"), function (el) {
      return Number(el.dataset.start) >= start && Number(el.dataset.end) <= end;
    });
  }

  // Index of the last clause starting at or before `offset` (-1 if none).
  function clauseAt(offset) {
    var low = 0, high = starts.length;
    while (low < high) {
      var middle = (low + high) >> 1;
      if (starts[middle] <= offset) { low = middle + 1; } else { high = middle; }
    }
    return low - 1;
  }

  function show(index) {
    var mark = clauses[index];
    current = index;
    mark.scrollIntoView({ block: "center" });
    mark.focus({ preventScroll: true });
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
    if (!mark) { return; }
    current = clauseAt(Number(mark.dataset.start));
    if (info) { info.textContent = mark.title; }
  });

  function typing(target) {
    return target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    if (!clauses.length || (event.key !== "j" && event.key !== "k")) { return; }
    event.preventDefault();
    if (event.key === "j") {
      show(Math.min(current + 1, clauses.length - 1));
    } else {
      show(Math.max(current - 1, 0));
    }
  });
})();

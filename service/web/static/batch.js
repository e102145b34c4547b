// Poll the batch's progress every second until it is done, then reload the
// page once so the results table shows every card's outcome.
(function () {
  "use strict";
  var box = document.getElementById("batch-progress");
  if (!box || box.dataset.status === "done") { return; }
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");

  function poll() {
    fetch("/batches/" + box.dataset.batch + "/progress", {
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { throw new Error("status " + response.status); }
      return response.json();
    }).then(function (body) {
      var p = body.progress;
      bar.max = p.total;
      bar.value = p.done + p.failed;
      text.textContent = body.status + ": " + p.done + " done, " + p.failed +
        " failed, " + p.pending + " pending of " + p.total;
      if (body.status === "done") {
        window.location.reload();
      } else {
        window.setTimeout(poll, 1000);
      }
    }).catch(function (error) {
      text.textContent = "Progress unavailable (" + error.message + "); reload the page.";
    });
  }
  window.setTimeout(poll, 500);
})();

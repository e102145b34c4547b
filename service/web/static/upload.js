// Upload each chosen or dropped file with XHR (for progress events) to
// POST /upload, then open the document (one file) or list links (several).
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  var input = document.getElementById("file");
  var zone = document.getElementById("drop-zone");
  var list = document.getElementById("upload-list");
  var status = document.getElementById("upload-status");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var dropped = null;

  function files() {
    return dropped || Array.prototype.slice.call(input.files);
  }

  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("dragover");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("dragover"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    dropped = Array.prototype.slice.call(event.dataTransfer.files);
    input.required = false;
    status.textContent = dropped.length + " file(s) ready: " +
      dropped.map(function (f) { return f.name; }).join(", ");
  });
  input.addEventListener("change", function () { dropped = null; input.required = true; });

  function row(file) {
    var item = document.createElement("li");
    var name = document.createElement("span");
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Upload of " + file.name);
    var note = document.createElement("span");
    note.className = "hint";
    note.textContent = "waiting";
    item.append(name, bar, note);
    list.appendChild(item);
    return { bar: bar, note: note, item: item };
  }

  function send(file, ui) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("file", file);
      data.append("family", form.family.value);
      data.append("version", form.version.value);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/upload");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable) {
          ui.bar.value = Math.round((event.loaded / event.total) * 100);
          ui.note.textContent = "uploading " + ui.bar.value + "%";
        }
      };
      xhr.upload.onload = function () { ui.note.textContent = "scanning…"; };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
        if (xhr.status === 200 || xhr.status === 201) {
          ui.bar.value = 100;
          ui.note.textContent = xhr.status === 201 ? "done" : "already stored";
          var link = document.createElement("a");
          link.href = body.url;
          link.textContent = "Open " + file.name;
          ui.item.appendChild(link);
          resolve(body.url);
        } else {
          ui.note.textContent = "refused: " + (body.detail || xhr.statusText);
          ui.note.className = "error-text";
          if (body.existing_document_id) {
            var existing = document.createElement("a");
            existing.href = "/documents/" + encodeURIComponent(body.existing_document_id);
            existing.textContent = "Open the existing document";
            ui.item.appendChild(existing);
          }
          resolve(null);
        }
      };
      xhr.onerror = function () {
        ui.note.textContent = "network error";
        ui.note.className = "error-text";
        resolve(null);
      };
      xhr.send(data);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = files();
    if (!chosen.length) {
      status.textContent = "Choose or drop at least one file.";
      input.focus();
      return;
    }
    list.textContent = "";
    status.textContent = "Uploading " + chosen.length + " file(s)…";
    var urls = [];
    chosen.reduce(function (previous, file) {
      return previous.then(function () {
        return send(file, row(file)).then(function (url) { if (url) { urls.push(url); } });
      });
    }, Promise.resolve()).then(function () {
      if (chosen.length === 1 && urls.length === 1) {
        window.location.assign(urls[0]);
        return;
      }
      status.textContent = urls.length + " of " + chosen.length + " file(s) stored. Open them below.";
      status.focus();
    });
  });
})();

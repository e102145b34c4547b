// Review on the document page: pick a clause (j/k, or click it), accept,
// reject, change its type, move its start and end a word at a time, edit
// its parameters, or select text to add a clause the extractor missed.
// Every decision is one POST of the session (CSRF header); the page is then
// fetched again and its text, legend and review panel swapped in, so the
// server stays the only renderer of clauses, states and history.
//
// Offsets: the server counts code points, a JS string UTF-16 units; the
// text is the stored text (from the page's review data), and the rendered
// text differs from it only where HTML turned CR LF into LF and where a form
// feed became a page separator, which the text index below accounts for.
(function () {
  "use strict";
  var dataEl = document.getElementById("review-data");
  var textEl = document.getElementById("doc-text");
  if (!dataEl || !textEl) { return; }
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = tokenMeta ? tokenMeta.content : "";
  var data, text, unitAt, clauses, current = -1, draft = null, form = null, index = null, busy = false;
  var lastAddType = null;

  function byId(id) { return document.getElementById(id); }

  function load() {
    data = JSON.parse(dataEl.textContent);
    text = data.text;
    unitAt = null;
    if (/[\uD800-\uDBFF]/.test(text)) {
      unitAt = [];
      for (var u = 0; u < text.length;) {
        unitAt.push(u);
        var code = text.charCodeAt(u);
        u += code >= 0xD800 && code <= 0xDBFF && u + 1 < text.length ? 2 : 1;
      }
      unitAt.push(text.length);
    }
    clauses = data.clauses.map(function (c) {
      return Object.assign({}, c, { s: toUnit(c.start), e: toUnit(c.end) });
    });
    index = null;
  }

  function toUnit(cp) { return unitAt ? unitAt[cp] : cp; }
  function toCp(unit) {
    if (!unitAt) { return unit; }
    var low = 0, high = unitAt.length - 1;
    while (low < high) {
      var mid = (low + high) >> 1;
      if (unitAt[mid] < unit) { low = mid + 1; } else { high = mid; }
    }
    return low;
  }

  // ---- words: a word is a run of non-space characters -------------------
  function space(i) { return /\s/.test(text.charAt(i)); }
  function snapStart(u) {
    while (u < text.length && space(u)) { u += 1; }
    while (u > 0 && !space(u - 1)) { u -= 1; }
    return u;
  }
  function snapEnd(u) {
    while (u > 0 && space(u - 1)) { u -= 1; }
    while (u < text.length && !space(u)) { u += 1; }
    return u;
  }
  function prevStart(u) {
    while (u > 0 && space(u - 1)) { u -= 1; }
    while (u > 0 && !space(u - 1)) { u -= 1; }
    return u;
  }
  function nextStart(u) {
    while (u < text.length && !space(u)) { u += 1; }
    while (u < text.length && space(u)) { u += 1; }
    return u;
  }
  function prevEnd(u) {
    while (u > 0 && !space(u - 1)) { u -= 1; }
    while (u > 0 && space(u - 1)) { u -= 1; }
    return u;
  }
  function nextEnd(u) {
    while (u < text.length && space(u)) { u += 1; }
    while (u < text.length && !space(u)) { u += 1; }
    return u;
  }

  // ---- the rendered text's nodes, at their offsets in the stored text ----
  function buildIndex() {
    var nodes = [], pos = 0, node;
    var walker = document.createTreeWalker(textEl, NodeFilter.SHOW_TEXT);
    while ((node = walker.nextNode())) {
      if (node.parentNode.closest(".page-break")) { pos += 1; continue; }
      var start = pos, exact = true;
      for (var k = 0; k < node.data.length; k += 1) {
        if (node.data.charAt(k) === "\n" && text.charAt(pos) === "\r") {
          pos += text.charAt(pos + 1) === "\n" ? 2 : 1;
          exact = false;
        } else {
          pos += 1;
        }
      }
      nodes.push({ node: node, start: start, end: pos, exact: exact });
    }
    index = { nodes: nodes, ok: pos === text.length };
  }

  function nodeToText(entry, k) {
    if (entry.exact) { return entry.start + k; }
    var pos = entry.start;
    for (var i = 0; i < k; i += 1) {
      if (entry.node.data.charAt(i) === "\n" && text.charAt(pos) === "\r") {
        pos += text.charAt(pos + 1) === "\n" ? 2 : 1;
      } else { pos += 1; }
    }
    return pos;
  }

  function textToNode(pos) {
    var nodes = index.nodes, low = 0, high = nodes.length - 1;
    while (low < high) {
      var mid = (low + high + 1) >> 1;
      if (nodes[mid].start <= pos) { low = mid; } else { high = mid - 1; }
    }
    var entry = nodes[low];
    var k = 0, at = entry.start;
    if (entry.exact) { return { node: entry.node, offset: Math.min(pos - entry.start, entry.node.length) }; }
    while (at < pos && k < entry.node.length) {
      at += entry.node.data.charAt(k) === "\n" && text.charAt(at) === "\r" && text.charAt(at + 1) === "\n" ? 2 : 1;
      k += 1;
    }
    return { node: entry.node, offset: k };
  }

  // Offset in the stored text of a DOM boundary point inside the text.
  function offsetAt(container, offset) {
    if (!index) { buildIndex(); }
    if (container.nodeType === Node.TEXT_NODE) {
      var found = index.nodes.find(function (n) { return n.node === container; });
      if (found) { return nodeToText(found, offset); }
    }
    var point = document.createRange();
    point.setStart(container, offset);
    var after = index.nodes.find(function (n) { return point.comparePoint(n.node, 0) >= 0; });
    return after ? after.start : text.length;
  }

  function showDraftRange() {
    if (!window.CSS || !CSS.highlights || typeof Highlight === "undefined") { return; }
    CSS.highlights.delete("review-draft");
    if (!draft) { return; }
    if (!index) { buildIndex(); }
    if (!index.ok || !index.nodes.length) { return; }
    var from = textToNode(draft.s), to = textToNode(draft.e);
    var range = document.createRange();
    range.setStart(from.node, from.offset);
    range.setEnd(to.node, to.offset);
    CSS.highlights.set("review-draft", new Highlight(range));
  }

  // ---- talking to the server --------------------------------------------
  function status(message) { var el = byId("review-status"); if (el) { el.textContent = message; } }

  function send(body) {
    if (data.scan_id) { body.scan_id = data.scan_id; }
    return fetch("/documents/" + data.document_id + "/review", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (!response.ok) {
          var error = new Error(answer.detail || ("the server answered " + response.status));
          error.status = response.status;
          throw error;
        }
        return answer;
      });
    });
  }

  function refresh(key) {
    return fetch(window.location.pathname + window.location.search, {
      credentials: "same-origin", headers: { Accept: "text/html" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("reloading the page failed (" + response.status + ")"); }
      return response.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var scroll = textEl.scrollTop;
      textEl.innerHTML = page.getElementById("doc-text").innerHTML;
      textEl.scrollTop = scroll;
      [".legend", "#review-panel"].forEach(function (selector) {
        var fresh = page.querySelector(selector), old = document.querySelector(selector);
        if (fresh && old) { old.replaceWith(document.importNode(fresh, true)); }
      });
      dataEl.textContent = page.getElementById("review-data").textContent;
      load();
      draft = null;
      form = null;
      var at = clauses.findIndex(function (c) { return c.key === key; });
      if (at !== -1) { select(at, true); } else { current = -1; }
    });
  }

  function failed(error) {
    var box = byId("ed-error"), editor = byId("editor");
    var detail = error.message || String(error);
    var prefix = error.status ? "Not saved (" + error.status + "): " : "Not saved: ";
    if (!box || !editor || editor.hidden) {
      status(prefix + detail);
      return;
    }
    box.hidden = false;
    box.textContent = "";
    var strong = document.createElement("strong");
    strong.textContent = prefix;
    box.appendChild(strong);
    box.appendChild(document.createTextNode(detail));
    if (form) { form.showErrors(detail); }
    status(prefix + "see the error above.");
  }

  // Send the decisions in order; stop at the first refusal; then refresh.
  function decide(steps, key, done) {
    if (busy || data.read_only) { if (data.read_only) { readOnly(); } return; }
    busy = true;
    var stored = 0, savedKey = key;
    var chain = steps.reduce(function (previous, step) {
      return previous.then(function () {
        return send(step).then(function (answer) {
          stored += 1;
          if (answer.event && answer.event.clause_key) { savedKey = answer.event.clause_key; }
        });
      });
    }, Promise.resolve());
    chain.then(function () {
      return refresh(savedKey).then(function () { status(done); });
    }, function (error) {
      var after = stored ? refresh(savedKey) : Promise.resolve();
      return after.then(function () {
        if (stored && draft === null && current !== -1) { select(current, false); }
        failed(error);
      });
    }).catch(failed).then(function () { busy = false; });
  }

  function readOnly() {
    status("Read-only: this key carries no reviewer name, so nothing can be changed.");
  }

  // ---- the editor -------------------------------------------------------
  function typeLabel(value) {
    var t = data.types.find(function (x) { return x.value === value; });
    return t ? t.label : value;
  }

  // For "did the parameters change?" only: the form writes one value of a
  // "one or a list" field as the value, and trims what is typed.
  function canonical(value) {
    if (Array.isArray(value)) { return value.length === 1 ? canonical(value[0]) : value.map(canonical); }
    if (typeof value === "string") { return value.trim(); }
    if (value && typeof value === "object") {
      var out = {};
      Object.keys(value).sort().forEach(function (k) {
        if (value[k] !== null && value[k] !== undefined) { out[k] = canonical(value[k]); }
      });
      return out;
    }
    return value;
  }
  function same(a, b) { return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b)); }

  function preview(s, e) {
    var box = byId("ed-quote");
    if (!box) { return; }
    box.textContent = "";
    function part(cls, str) {
      var span = document.createElement("span");
      span.className = cls;
      span.textContent = str;
      box.appendChild(span);
    }
    var quote = text.slice(s, e);
    part("context", (s > 40 ? "…" : "") + text.slice(Math.max(0, s - 40), s));
    if (quote.length > 260) {
      part("quote", quote.slice(0, 120));
      part("elided", " … (" + (quote.length - 240) + " more characters) … ");
      part("quote", quote.slice(-120));
    } else {
      part("quote", quote);
    }
    part("context", text.slice(e, e + 40) + (e + 40 < text.length ? "…" : ""));
    byId("ed-offsets").textContent = "[" + toCp(s) + ", " + toCp(e) + "), " + (toCp(e) - toCp(s)) + " characters";
  }

  function changes() {
    if (!draft) { return []; }
    var params = form ? form.read() : {};
    if (draft.mode === "add") {
      return [{ action: "add", type: draft.type, start: toCp(draft.s), end: toCp(draft.e), quote: text.slice(draft.s, draft.e), params: params }];
    }
    var clause = clauses[current], steps = [];
    if (draft.type !== clause.type) {
      steps.push({ action: "retype", clause: clause.key, type: draft.type, params: params });
    } else if (!same(params, clause.params)) {
      steps.push({ action: "params", clause: clause.key, params: params });
    }
    if (draft.s !== clause.s || draft.e !== clause.e) {
      steps.push({ action: "move", clause: clause.key, start: toCp(draft.s), end: toCp(draft.e), quote: text.slice(draft.s, draft.e) });
    }
    return steps;
  }

  function describeSteps() {
    var el = byId("ed-pending");
    if (!el || !draft) { return; }
    var steps = changes();
    var words = steps.map(function (step) {
      switch (step.action) {
        case "add": return "add this " + typeLabel(step.type) + " clause";
        case "retype": return "change the type to " + typeLabel(step.type);
        case "params": return "store the new parameters";
        case "move": return "move the span";
      }
      return step.action;
    });
    el.textContent = words.length ? "Save will " + words.join(", then ") + "." : "No unsaved changes.";
  }

  function buildForm(params) {
    var holder = byId("ed-params-fields");
    form = window.ClausewiseParams.build(holder, data.schemas[draft.type], params, "ed");
  }

  function renderEditor(rebuildForm) {
    var editor = byId("editor");
    if (!editor || !draft) { return; }
    editor.hidden = false;
    byId("editor-empty").hidden = true;
    var error = byId("ed-error");
    error.hidden = true;
    error.textContent = "";
    var adding = draft.mode === "add";
    editor.classList.toggle("adding", adding);
    byId("ed-decide").hidden = adding;
    var summary = byId("ed-summary");
    if (adding) {
      byId("editor-title").textContent = "New clause (from your selection)";
      summary.textContent = "Choose its type and parameters, adjust its span, then save (Enter).";
    } else {
      var c = clauses[current];
      byId("editor-title").textContent = "Clause " + (current + 1) + " of " + clauses.length;
      summary.textContent = typeLabel(c.type) + " · " + c.status + (c.origin === "added" ? " · added by a reviewer" : "") +
        (c.score !== null && c.score !== undefined ? " · score " + Number(c.score).toFixed(2) : "");
      byId("ed-accept").setAttribute("aria-pressed", String(c.status === "accepted"));
      byId("ed-reject").setAttribute("aria-pressed", String(c.status === "rejected"));
    }
    byId("ed-type").value = draft.type;
    preview(draft.s, draft.e);
    if (rebuildForm) {
      var original = adding ? {} : clauses[current].params;
      buildForm(adding || draft.type !== clauses[current].type ? {} : original);
    }
    describeSteps();
    showDraftRange();
  }

  function marksOf(key) {
    return Array.prototype.slice.call(textEl.querySelectorAll('mark[data-keys~="' + CSS.escape(key) + '"]'));
  }

  function select(at, focus) {
    if (at < 0 || at >= clauses.length) { return; }
    current = at;
    var c = clauses[at];
    textEl.querySelectorAll("mark.selected").forEach(function (m) { m.classList.remove("selected"); });
    var marks = marksOf(c.key);
    marks.forEach(function (m) { m.classList.add("selected"); });
    document.querySelectorAll("#clause-list li[aria-current]").forEach(function (li) { li.removeAttribute("aria-current"); });
    var row = document.querySelector('#clause-list li[data-key="' + CSS.escape(c.key) + '"]');
    if (row) { row.setAttribute("aria-current", "true"); row.scrollIntoView({ block: "nearest" }); }
    if (marks.length && focus) {
      marks[0].scrollIntoView({ block: "center" });
      marks[0].focus({ preventScroll: true });
    }
    var info = byId("clause-info");
    if (info && marks.length) { info.textContent = marks[0].title; }
    if (data.read_only) { return; }
    draft = { mode: "edit", key: c.key, type: c.type, s: c.s, e: c.e };
    renderEditor(true);
  }

  function discard() {
    if (!draft) { return; }
    if (draft.mode === "add") {
      draft = null;
      showDraftRange();
      if (current !== -1) { select(current, true); } else {
        byId("editor").hidden = true;
        byId("editor-empty").hidden = false;
      }
      status("The new clause was discarded.");
      return;
    }
    select(current, false);
    status("Unsaved changes discarded.");
  }

  function save() {
    if (!draft) { return; }
    var steps = changes();
    if (!steps.length) { status("Nothing to save."); return; }
    if (draft.mode === "add") { lastAddType = draft.type; }
    decide(steps, draft.key, draft.mode === "add" ? "Clause added." : "Saved.");
  }

  // Accepting a clause with unsaved edits saves them: any edit accepts it.
  function accept() {
    if (changes().length) { save(); } else { setStatus("accept"); }
  }

  function setStatus(action) {
    if (current === -1) { status("Pick a clause first (j or a click)."); return; }
    var c = clauses[current];
    decide([{ action: action, clause: c.key }], c.key, action === "accept" ? "Accepted." : "Rejected.");
  }

  function nudge(which, forward) {
    if (!draft) { status("Pick a clause first (j or a click)."); return; }
    var s = draft.s, e = draft.e;
    if (which === "start") {
      s = forward ? nextStart(s) : prevStart(s);
      if (s >= e) { status("The start cannot pass the end."); return; }
    } else {
      e = forward ? nextEnd(e) : prevEnd(e);
      if (e <= s) { status("The end cannot pass the start."); return; }
    }
    draft.s = s;
    draft.e = e;
    renderEditor(false);
  }

  // ---- selecting text to add a clause -----------------------------------
  function fromSelection() {
    if (data.read_only) { return; }
    var selection = window.getSelection();
    if (!selection.rangeCount || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    if (!textEl.contains(range.commonAncestorContainer)) { return; }
    if (!index) { buildIndex(); }
    if (!index.ok) { status("This text cannot be mapped to its offsets here; add the clause through the API."); return; }
    var s = snapStart(offsetAt(range.startContainer, range.startOffset));
    var e = snapEnd(offsetAt(range.endContainer, range.endOffset));
    if (e <= s) { return; }
    draft = { mode: "add", key: null, type: lastAddType || (draft ? draft.type : data.types[0].value), s: s, e: e };
    renderEditor(true);
    status("Selection snapped to whole words: choose a type and save to add it.");
  }

  // ---- events -----------------------------------------------------------
  document.addEventListener("click", function (event) {
    var target = event.target;
    var pick = target.closest("button.clause-pick");
    if (pick) {
      select(clauses.findIndex(function (c) { return c.key === pick.dataset.key; }), true);
      return;
    }
    var button = target.closest("#review-panel button");
    if (button) {
      switch (button.id) {
        case "ed-accept": accept(); return;
        case "ed-reject": setStatus("reject"); return;
        case "ed-start-back": nudge("start", false); return;
        case "ed-start-fwd": nudge("start", true); return;
        case "ed-end-back": nudge("end", false); return;
        case "ed-end-fwd": nudge("end", true); return;
        case "ed-save": save(); return;
        case "ed-cancel": discard(); return;
      }
      if (button.dataset.action === "mark_reviewed" || button.dataset.action === "reopen") {
        if (changes().length) { status("Save or discard the changes to this clause first."); return; }
        var key = current !== -1 ? clauses[current].key : null;
        decide([{ action: button.dataset.action }], key,
          button.dataset.action === "reopen" ? "Review reopened." : "Marked reviewed.");
      }
      return;
    }
    var mark = target.closest("#doc-text mark[data-keys]");
    if (mark && window.getSelection().isCollapsed) {
      var keys = mark.dataset.keys.split(" ");
      var mine = current !== -1 ? keys.indexOf(clauses[current].key) : -1;
      var key2 = keys[(mine + 1) % keys.length];
      select(clauses.findIndex(function (c) { return c.key === key2; }), false);
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.id === "ed-type" && draft) {
      draft.type = event.target.value;
      renderEditor(true);
    } else if (event.target.closest("#ed-params-fields")) {
      describeSteps();
    }
  });
  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("#ed-params-fields")) { describeSteps(); }
  });

  textEl.addEventListener("mouseup", function () { window.setTimeout(fromSelection, 0); });
  textEl.addEventListener("keyup", function (event) { if (event.shiftKey) { fromSelection(); } });

  textEl.addEventListener("focusin", function (event) {
    var mark = event.target.closest("mark[data-keys]");
    if (!mark || (current !== -1 && mark.dataset.keys.split(" ").indexOf(clauses[current].key) !== -1)) { return; }
    // a citation button focused this piece: j and k go on from here
    var start = Number(mark.dataset.start);
    var at = -1;
    clauses.forEach(function (c, i) { if (c.start <= start) { at = i; } });
    current = at;
  });

  function typing(target) {
    return target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var inForm = typing(event.target);
    var inEditor = event.target.closest && event.target.closest("#editor");
    if (inForm) {
      if (inEditor && event.key === "Enter" && event.target.tagName !== "TEXTAREA") { event.preventDefault(); save(); }
      if (inEditor && event.key === "Escape") { event.preventDefault(); discard(); }
      return;
    }
    var key = event.key;
    if (key === "j" || key === "k") {
      if (!clauses.length) { return; }
      event.preventDefault();
      select(key === "j" ? Math.min(current + 1, clauses.length - 1) : Math.max(current - 1, 0), true);
      return;
    }
    var actions = {
      a: accept,
      r: function () { setStatus("reject"); },
      t: function () { var el = byId("ed-type"); if (el && draft) { el.focus(); } },
      p: function () {
        var el = document.querySelector("#ed-params-fields input, #ed-params-fields select, #ed-params-fields textarea");
        if (el) { el.focus(); }
      },
      "[": function () { nudge("start", false); },
      "]": function () { nudge("start", true); },
      "{": function () { nudge("end", false); },
      "}": function () { nudge("end", true); },
      Escape: discard
    };
    if (key === "Enter" && event.target.tagName !== "BUTTON" && event.target.tagName !== "A" && event.target.tagName !== "SUMMARY") {
      if (draft) { event.preventDefault(); save(); }
      return;
    }
    if (!actions[key]) { return; }
    event.preventDefault();
    if (data.read_only && key !== "Escape") { readOnly(); return; }
    actions[key]();
  });

  load();
})();

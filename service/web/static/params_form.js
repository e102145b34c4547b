// A form for a clause type's parameters, built from its JSON Schema (the
// pydantic models that also validate a decision, published in the page's
// review data), so the form and the server's check cannot drift apart.
// It covers what those schemas use: objects, enums, strings, numbers,
// booleans, lists (of strings, of enum values, of objects), "one value or a
// list" and "or null". Blank fields are left out; the server decides what
// is valid and its 422 detail is shown next to the fields it names.
(function () {
  "use strict";
  var serial = 0;

  function uid(name) {
    serial += 1;
    return "pf-" + name.replace(/[^A-Za-z0-9_-]/g, "-") + "-" + serial;
  }

  function element(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { el.textContent = attrs[name]; } else { el.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { el.appendChild(child); });
    return el;
  }

  // What the schemas' patterns ask for, in words (else the pattern is shown).
  var PATTERNS = {
    "^[A-Z]{3}$": "ISO 4217 code, e.g. USD",
    "^[A-Z]{2}(-[A-Z0-9]{1,3})?$": "ISO 3166 code, e.g. US-CA or IE",
    "^([A-Z]{2}|EU|EEA)$": "ISO 3166 codes, EU or EEA"
  };

  function human(value) { return String(value).replace(/_/g, " "); }

  function resolve(root, schema) {
    if (schema && schema.$ref) { return root.$defs[schema.$ref.split("/").pop()]; }
    return schema || {};
  }

  // What kind of field a property schema asks for.
  function describe(root, raw) {
    var schema = resolve(root, raw);
    var optional = false;
    if (schema.anyOf) {
      var options = schema.anyOf.map(function (o) { return resolve(root, o); });
      var values = options.filter(function (o) { return o.type !== "null"; });
      optional = values.length < options.length;
      var lists = values.filter(function (o) { return o.type === "array"; });
      var singles = values.filter(function (o) { return o.type !== "array"; });
      if (lists.length === 1 && singles.length === 1) {
        return { kind: "oneOrMany", item: singles[0], optional: optional };
      }
      if (values.length !== 1) { return { kind: "json", optional: optional }; }
      schema = values[0];
    }
    if (schema.type === "array") {
      var item = resolve(root, schema.items);
      return { kind: item.type === "object" ? "objects" : "list", item: item, optional: optional };
    }
    if (schema.enum) { return { kind: "enum", values: schema.enum, optional: optional }; }
    if (schema.type === "boolean") { return { kind: "boolean", optional: optional }; }
    if (schema.type === "number" || schema.type === "integer") { return { kind: "number", optional: optional }; }
    if (schema.type === "object") { return { kind: "object", schema: schema, optional: optional }; }
    return { kind: "string", optional: optional, pattern: schema.pattern };
  }

  function blank(value) {
    return value === undefined || value === null || value === "" ||
      (Array.isArray(value) && value.length === 0);
  }

  function asList(value) {
    if (blank(value)) { return []; }
    return Array.isArray(value) ? value : [value];
  }

  // A row: label plus control; `read` gives the value (undefined when blank).
  function labelled(name, title, required, control, hint) {
    var id = control.id || uid(name);
    control.id = id;
    var label = element("label", { "for": id, text: title + (required ? " (required)" : "") });
    var row = element("div", { "class": "pf-row" }, [label, control]);
    if (hint) {
      var hintEl = element("span", { "class": "hint pf-hint", id: id + "-hint", text: hint });
      control.setAttribute("aria-describedby", hintEl.id);
      row.appendChild(hintEl);
    }
    return row;
  }

  function checkboxes(name, title, required, values, chosen) {
    var set = asList(chosen);
    var box = element("fieldset", { "class": "pf-choices" }, [
      element("legend", { text: title + (required ? " (required)" : "") })
    ]);
    var inputs = values.map(function (value) {
      var input = element("input", { type: "checkbox", id: uid(name), value: value });
      input.checked = set.indexOf(value) !== -1;
      box.appendChild(element("label", { "class": "pf-check", "for": input.id }, [
        input, document.createTextNode(" " + human(value))
      ]));
      return input;
    });
    function picked() {
      return inputs.filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
    }
    return { el: box, picked: picked };
  }

  function field(root, name, title, required, raw, value) {
    var spec = describe(root, raw);
    var control, read, el;
    switch (spec.kind) {
      case "enum":
        control = element("select", {}, [element("option", { value: "", text: spec.optional || !required ? "(none)" : "— choose —" })]
          .concat(spec.values.map(function (v) { return element("option", { value: v, text: human(v) }); })));
        control.value = blank(value) ? "" : String(value);
        el = labelled(name, title, required, control);
        read = function () { return control.value || undefined; };
        break;
      case "boolean":
        control = element("select", {}, [
          element("option", { value: "", text: "(not stated)" }),
          element("option", { value: "true", text: "yes" }),
          element("option", { value: "false", text: "no" })
        ]);
        control.value = blank(value) ? "" : String(value);
        el = labelled(name, title, required, control);
        read = function () { return control.value === "" ? undefined : control.value === "true"; };
        break;
      case "number":
        control = element("input", { type: "text", inputmode: "decimal", autocomplete: "off" });
        control.value = blank(value) ? "" : String(value);
        el = labelled(name, title, required, control, "a number, e.g. 700000000");
        read = function () {
          var text = control.value.replace(/[,_\s]/g, "");
          if (!text) { return undefined; }
          return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text) ? Number(text) : control.value;
        };
        break;
      case "list":
        if (spec.item.enum) {
          var list = checkboxes(name, title, required, spec.item.enum, value);
          el = list.el;
          read = function () { var p = list.picked(); return p.length ? p : undefined; };
        } else {
          control = element("input", { type: "text", autocomplete: "off" });
          control.value = asList(value).join(", ");
          var format = spec.item.pattern ? (PATTERNS[spec.item.pattern] || "format " + spec.item.pattern) + "; " : "";
          el = labelled(name, title, required, control, format + "separate several with commas");
          read = function () {
            var items = control.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
            return items.length ? items : undefined;
          };
        }
        break;
      case "oneOrMany":
        if (spec.item.enum) {
          var choice = checkboxes(name, title, required, spec.item.enum, value);
          el = choice.el;
          read = function () {
            var p = choice.picked();
            return p.length === 0 ? undefined : (p.length === 1 ? p[0] : p);
          };
        } else {
          control = element("textarea", { rows: "2" });
          control.value = asList(value).join("\n");
          el = labelled(name, title, required, control, "one per line when there are alternatives");
          read = function () {
            var lines = control.value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
            return lines.length === 0 ? undefined : (lines.length === 1 ? lines[0] : lines);
          };
        }
        break;
      case "objects":
        return objectList(root, name, title, required, spec.item, value);
      case "object":
        return objectFields(root, spec.schema, value || {}, name);
      case "json":
        control = element("textarea", { rows: "2" });
        control.value = blank(value) ? "" : JSON.stringify(value);
        el = labelled(name, title, required, control, "JSON");
        read = function () {
          if (!control.value.trim()) { return undefined; }
          try { return JSON.parse(control.value); } catch (e) { return control.value; }
        };
        break;
      default:
        control = element("input", { type: "text", autocomplete: "off" });
        control.value = blank(value) ? "" : String(value);
        el = labelled(name, title, required, control, spec.pattern ? (PATTERNS[spec.pattern] || "format " + spec.pattern) : "");
        read = function () { return control.value.trim() || undefined; };
    }
    return { el: el, read: read };
  }

  function objectFields(root, schema, value, prefix) {
    var box = element("div", { "class": "pf-object" });
    var required = schema.required || [];
    var fields = Object.keys(schema.properties || {}).map(function (key) {
      var prop = schema.properties[key];
      var title = resolve(root, prop).title || prop.title || human(key);
      var f = field(root, prefix + "-" + key, title, required.indexOf(key) !== -1, prop, value[key]);
      f.el.dataset.field = key;
      box.appendChild(f.el);
      return { key: key, field: f };
    });
    if (!fields.length) {
      box.appendChild(element("p", { "class": "hint", text: "This type has no parameters." }));
    }
    function read() {
      var out = {};
      fields.forEach(function (f) {
        var v = f.field.read();
        if (v !== undefined) { out[f.key] = v; }
      });
      return out;
    }
    return { el: box, read: read };
  }

  function objectList(root, name, title, required, item, value) {
    var box = element("fieldset", { "class": "pf-list" }, [
      element("legend", { text: title + (required ? " (required)" : "") })
    ]);
    var holder = element("div", {});
    var itemTitle = item.title || "item";
    var add = element("button", { type: "button", "class": "small-button secondary", text: "Add a " + itemTitle.toLowerCase() });
    box.appendChild(holder);
    box.appendChild(add);
    var items = [];
    function renumber() {
      items.forEach(function (it, i) {
        it.legend.textContent = itemTitle + " " + (i + 1);
        it.el.dataset.field = String(i);
      });
    }
    function push(initial) {
      var inner = objectFields(root, item, initial || {}, name + "-" + items.length);
      var legend = element("legend", {});
      var remove = element("button", { type: "button", "class": "small-button secondary" });
      var entry = { el: element("fieldset", { "class": "pf-item" }, [legend, inner.el, remove]), legend: legend, read: inner.read };
      remove.addEventListener("click", function () {
        items.splice(items.indexOf(entry), 1);
        entry.el.remove();
        renumber();
      });
      items.push(entry);
      holder.appendChild(entry.el);
      renumber();
      remove.textContent = "Remove this " + itemTitle.toLowerCase();
    }
    add.addEventListener("click", function () { push({}); });
    asList(value).forEach(push);
    if (!items.length) { push({}); }
    function read() {
      var out = items.map(function (it) { return it.read(); }).filter(function (o) { return Object.keys(o).length; });
      return out.length ? out : undefined;
    }
    return { el: box, read: read };
  }

  function clearErrors(container) {
    container.querySelectorAll(".pf-error").forEach(function (el) { el.remove(); });
    container.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  // Put each "path: message" of a 422 detail next to the field it names.
  function showErrors(container, detail) {
    clearErrors(container);
    var text = String(detail || "");
    var colon = text.indexOf(": ");
    if (!/^invalid parameters for /.test(text) || colon === -1) { return 0; }
    var shown = 0;
    text.slice(colon + 2).split("; ").forEach(function (part) {
      var cut = part.indexOf(": ");
      if (cut === -1) { return; }
      var path = part.slice(0, cut).split(".");
      var message = part.slice(cut + 2);
      var target = container.firstElementChild;
      for (var i = 0; i < path.length && target; i += 1) {
        var next = target.querySelector('[data-field="' + CSS.escape(path[i]) + '"]');
        if (!next) { break; }
        target = next;
      }
      if (!target) { return; }
      target.querySelectorAll("input, select, textarea").forEach(function (c) { c.setAttribute("aria-invalid", "true"); });
      target.appendChild(element("p", { "class": "pf-error error-text", text: message }));
      shown += 1;
    });
    return shown;
  }

  window.ClausewiseParams = {
    // Build the form of `schema` holding `value` inside `container`.
    build: function (container, schema, value, name) {
      container.textContent = "";
      var form = objectFields(schema, schema, value || {}, name || "params");
      container.appendChild(form.el);
      return {
        read: form.read,
        showErrors: function (detail) { return showErrors(container, detail); },
        clearErrors: function () { clearErrors(container); }
      };
    }
  };
})();

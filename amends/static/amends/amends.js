// Keeps what a customer types in the complaint form in this browser until the case is
// created, so a network error, a refresh or a language switch never loses their words.
(function () {
  "use strict";
  function draftKey(form) { return "amends-draft:" + (form.dataset.draftKey || "form"); }
  function restore(form) {
    var saved;
    try { saved = JSON.parse(localStorage.getItem(draftKey(form)) || "{}"); } catch (e) { return; }
    Object.keys(saved).forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (!field || field.type === "file" || field.type === "hidden") { return; }
      if (field.type === "radio" || (field.length && field[0] && field[0].type === "radio")) {
        Array.prototype.forEach.call(form.querySelectorAll('[name="' + name + '"]'), function (r) { r.checked = r.value === saved[name]; });
      } else if (field.type === "checkbox") { field.checked = !!saved[name]; }
      else if (!field.value) { field.value = saved[name]; }
    });
  }
  function save(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (f) {
      if (!f.name || f.type === "file" || f.type === "hidden" || f.type === "submit") { return; }
      if (f.type === "radio") { if (f.checked) { data[f.name] = f.value; } return; }
      data[f.name] = f.type === "checkbox" ? f.checked : f.value;
    });
    try { localStorage.setItem(draftKey(form), JSON.stringify(data)); } catch (e) { /* storage full or off */ }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
      restore(form);
      form.addEventListener("input", function () { save(form); });
      form.addEventListener("submit", function () {
        var button = form.querySelector("[type=submit]");
        if (button) { button.disabled = true; }  // one click, one case (the server also checks)
      });
    });
    var done = document.querySelector("[data-draft-clear]");
    if (done) { try { localStorage.removeItem("amends-draft:" + done.dataset.draftClear); } catch (e) { /* ignore */ } }
  });
})();

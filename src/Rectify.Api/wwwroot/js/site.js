// Rectify: progressive enhancement only. Every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Forms that ask before doing something hard to undo carry data-confirm="question".
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
  // File inputs with data-max-bytes warn before a too-large upload (the server checks again).
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      var max = parseInt(input.getAttribute("data-max-bytes"), 10);
      var big = Array.prototype.filter.call(input.files, function (f) { return f.size > max; });
      input.setCustomValidity(big.length ? (input.getAttribute("data-too-big") || "file too large") + ": " + big.map(function (f) { return f.name; }).join(", ") : "");
      if (big.length) input.reportValidity();
    });
  });
  // Selects marked data-autosubmit submit their form on change (filters).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // Buttons with data-copy="inputId" copy that input's value (a subscription URL) and say so.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-copy"));
      if (!input) return;
      input.select();
      var done = function () { button.textContent = button.getAttribute("data-copied") || "OK"; };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(input.value).then(done, function () { });
      else if (document.execCommand("copy")) done();
    });
  });
  // A background task's page (data-task="id") follows its progress through GET /api/tasks/{id} until it finishes.
  document.querySelectorAll("[data-task]").forEach(function (card) {
    var id = card.getAttribute("data-task");
    var bar = card.querySelector("[data-task-progress]");
    var count = card.querySelector("[data-task-count]");
    var state = card.querySelector("[data-task-state]");
    var error = card.querySelector("[data-task-error]");
    var result = card.querySelector("[data-task-result]");
    var poll = function () {
      fetch("/api/tasks/" + id, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (t) {
          if (!t) return;
          if (t.total !== null && t.total !== undefined) {
            bar.max = Math.max(1, t.total);
            bar.value = t.progress;
            count.textContent = t.progress + " / " + t.total;
          }
          state.textContent = t.stateName;
          // A card marked data-task-reload shows its result from the server (an import's items or its error table).
          if ((t.state === "failed" || t.state === "succeeded") && card.hasAttribute("data-task-reload")) { window.location.reload(); return; }
          if (t.state === "failed") { error.textContent = t.error || ""; error.hidden = false; return; }
          if (t.state === "succeeded") {
            var link = result.querySelector("a");
            if (t.resultName) link.textContent = link.getAttribute("data-label") + " " + t.resultName;
            result.hidden = false;
            return;
          }
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    if ((!result || result.hidden) && (!error || error.hidden)) window.setTimeout(poll, 500);
  });
});

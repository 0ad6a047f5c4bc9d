// Progressive enhancement only: every page works without it.
(function () {
  "use strict";

  // Copy buttons (clause page): copy the link or the citation.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Fallback for plain-http intranets, where the async clipboard API is unavailable.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
    return Promise.resolve();
  }
  document.querySelectorAll("button.copy").forEach(function (button) {
    button.addEventListener("click", function () {
      var status = document.querySelector(".copy-status");
      copyText(button.dataset.copy).then(function () {
        if (status) status.textContent = button.dataset.done || "Copied";
        button.dataset.copied = "true";
      }, function () {
        if (status) status.textContent = "Copy failed: select the text and copy it by hand.";
      });
    });
  });

  // Contents and timeline: open beside the text on wide screens, collapsed above it on
  // phones so the title and the text come first (without script they stay collapsed).
  if (window.matchMedia && window.matchMedia("(min-width: 60rem)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
  }

  // Compare page: collapse runs of unchanged rows, "only changes", jump between changes.
  var grid = document.querySelector(".compare-grid");
  if (!grid) return;
  var rows = Array.prototype.slice.call(grid.querySelectorAll(".row"));
  var RUN = 3; // shorter runs stay visible: they give the changes their context
  var run = [];
  function flush() {
    if (run.length >= RUN) {
      var hidden = run.slice(1, run.length - 1);
      hidden.forEach(function (r) { r.classList.add("collapsed"); });
      // A row of the comparison table (role="table" admits only rows as children).
      var toggle = document.createElement("div");
      toggle.className = "collapse-toggle";
      toggle.setAttribute("role", "row");
      var cell = document.createElement("div");
      cell.setAttribute("role", "cell");
      toggle.appendChild(cell);
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "Show " + hidden.length + " unchanged clauses";
      button.addEventListener("click", function () {
        hidden.forEach(function (r) { r.classList.remove("collapsed"); });
        toggle.remove();
      });
      cell.appendChild(button);
      hidden[0].parentNode.insertBefore(toggle, hidden[0]);
    }
    run = [];
  }
  rows.forEach(function (r) {
    if (r.classList.contains("is-change")) flush(); else run.push(r);
  });
  flush();

  var only = document.getElementById("only-changes");
  if (only) only.addEventListener("change", function () {
    grid.classList.toggle("only-changes", only.checked);
  });

  var changes = rows.filter(function (r) { return r.classList.contains("is-change"); });
  var at = -1;
  function go(step) {
    if (!changes.length) return;
    if (at >= 0) changes[at].classList.remove("current-change");
    at = (at + step + changes.length) % changes.length;
    var row = changes[at];
    row.classList.remove("collapsed");
    row.classList.add("current-change");
    row.scrollIntoView({ block: "start" });
    history.replaceState(null, "", "#" + row.id);
  }
  var next = document.getElementById("next-change");
  var prev = document.getElementById("prev-change");
  if (next) next.addEventListener("click", function () { go(1); });
  if (prev) prev.addEventListener("click", function () { go(-1); });
  document.addEventListener("keydown", function (e) {
    if (e.target.closest && e.target.closest("input, textarea, select")) return;
    if (e.key === "j") go(1);
    if (e.key === "k") go(-1);
  });
})();

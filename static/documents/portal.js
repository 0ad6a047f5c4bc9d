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

  // A table wider than its box: the hint above it ("Scroll the table sideways…") shows,
  // and goes again when the window is wide enough. Without script the shadows at the
  // box's edges still show that there is more.
  function markScrollers() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      var hint = document.getElementById(box.getAttribute("aria-describedby") || "");
      if (hint) hint.classList.toggle("is-shown", box.scrollWidth > box.clientWidth + 1);
    });
  }
  markScrollers();
  window.addEventListener("resize", markScrollers);

  // Single-key shortcuts (j / k on a comparison), never while typing in a field.
  var shortcuts = {};
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target.closest && e.target.closest("input, textarea, select, [contenteditable]")) return;
    if (shortcuts[e.key]) shortcuts[e.key](e);
  });
  window.portal = {
    shortcut: function (key, fn) { shortcuts[key] = fn; },
  };
})();

// Compare page: load collapsed unchanged runs on demand, "only changes", "hide
// editorial", jump between changes (j / k) and from the change list. Progressive
// enhancement: without it every link still works (?full=1 sends all rows).
(function () {
  "use strict";
  var grid = document.querySelector(".cmp-grid");
  if (!grid) return;

  function loadRun(run) {
    var url = grid.dataset.rowsUrl + "&start=" + run.dataset.start + "&stop=" + run.dataset.stop;
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.text();
    }).then(function (html) {
      var box = document.createElement("div");
      box.innerHTML = html; // server-rendered, escaped rows of our own origin
      var rows = Array.prototype.slice.call(box.children);
      rows.forEach(function (row) { run.parentNode.insertBefore(row, run); });
      run.remove();
      return rows;
    });
  }
  grid.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a.load-rows");
    if (!link) return;
    e.preventDefault();
    link.textContent = "Loading…";
    loadRun(link.parentNode).catch(function () { window.location = link.href; });
  });

  // A jump to a row that sits in a collapsed run loads that run first.
  function ensureRow(id) {
    var row = document.getElementById(id);
    if (row) return Promise.resolve(row);
    var n = parseInt(id.replace("row-", ""), 10) - 1;
    var runs = grid.querySelectorAll(".collapsed-run");
    for (var i = 0; i < runs.length; i++) {
      if (n >= +runs[i].dataset.start && n < +runs[i].dataset.stop) {
        return loadRun(runs[i]).then(function () { return document.getElementById(id); });
      }
    }
    return Promise.resolve(null);
  }

  var only = document.getElementById("only-changes");
  if (only) only.addEventListener("change", function () {
    grid.classList.toggle("only-changes", only.checked);
  });
  var hideEditorial = document.getElementById("hide-editorial");
  var list = document.querySelector(".change-list");
  if (hideEditorial) hideEditorial.addEventListener("change", function () {
    grid.classList.toggle("hide-editorial", hideEditorial.checked);
    if (list) list.classList.toggle("hide-editorial", hideEditorial.checked);
  });

  function changes() {
    var skipEditorial = hideEditorial && hideEditorial.checked;
    return Array.prototype.slice.call(grid.querySelectorAll(".row.is-change")).filter(function (r) {
      return !(skipEditorial && r.dataset.kind === "editorial");
    });
  }
  var current = null;
  function show(row) {
    if (!row) return;
    if (current) current.classList.remove("current-change");
    current = row;
    row.classList.add("current-change");
    row.scrollIntoView({ block: "start" });
    history.replaceState(null, "", "#" + row.id);
    var item = list && list.querySelector('a.jump[href="#' + row.id + '"]');
    list && list.querySelectorAll("li.current").forEach(function (li) { li.classList.remove("current"); });
    if (item) item.parentNode.classList.add("current");
  }
  function go(step) {
    var all = changes();
    if (!all.length) return;
    var at = current ? all.indexOf(current) : -1;
    if (at < 0 && current) {
      // the current row was filtered away: continue from its position
      at = all.filter(function (r) { return r.compareDocumentPosition(current) & Node.DOCUMENT_POSITION_FOLLOWING; }).length - (step > 0 ? 1 : 0);
    }
    show(all[(at + step + all.length) % all.length]);
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
  if (list) list.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a.jump");
    if (!link) return;
    e.preventDefault();
    ensureRow(link.getAttribute("href").slice(1)).then(show);
  });
  if (location.hash.indexOf("#row-") === 0) ensureRow(location.hash.slice(1)).then(show);
})();

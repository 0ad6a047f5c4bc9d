// Comparison rows (compare page and staff preview): rows the server left out loaded on
// demand (a click on a collapsed run; deferred chunks as the reader nears them; all of
// them before printing), client-side folding of unchanged runs where the server sent
// every row, "only changes", "hide editorial", next/previous change (j / k) and the
// change list's jump links. Progressive enhancement: without it every link still works
// (?full=1 sends all rows).
(function () {
  "use strict";
  var grid = document.querySelector(".compare-grid");
  if (!grid) return;
  var rowsUrl = grid.dataset.rowsUrl;
  var list = document.querySelector(".change-list");

  // What is stuck to the top of the window (the site header, the comparison head: their
  // heights change with the width and the wrapping of the summary) is measured, so a
  // row scrolled to lands just below them (CSS scroll-margin-top reads --sticky-top).
  function stickyTop() {
    var bottom = 0;
    document.querySelectorAll("header.site, .compare-head").forEach(function (el) {
      var style = getComputedStyle(el);
      if (style.position === "sticky" || style.position === "fixed") {
        bottom = Math.max(bottom, parseFloat(style.top) + el.offsetHeight);
      }
    });
    grid.style.setProperty("--sticky-top", (bottom + 8) + "px");
  }
  stickyTop();
  window.addEventListener("resize", stickyTop);

  function runs() { return Array.prototype.slice.call(grid.querySelectorAll(".collapsed-run")); }
  function rangeOf(run) { return run.dataset.start + "-" + run.dataset.stop; }
  // The answer holds one <template> per range asked for, in order.
  function fill(targets, html) {
    var box = document.createElement("div");
    box.innerHTML = html; // server-rendered, escaped rows of our own origin
    var parts = box.querySelectorAll("template");
    targets.forEach(function (run, i) {
      if (!parts[i] || !run.parentNode) return;
      run.parentNode.insertBefore(parts[i].content, run);
      run.remove();
    });
  }
  function urlFor(targets) { return rowsUrl + "&ranges=" + targets.map(rangeOf).join(","); }
  function loadRun(run) {
    if (!run.loading) {
      run.loading = fetch(urlFor([run]), { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.text();
      }).then(function (html) { fill([run], html); });
    }
    return run.loading;
  }
  // Printing cannot wait for a promise: every missing row is fetched synchronously, in
  // one request, when the page is about to print (Ctrl+P, the print button, print media).
  function loadAllNow() {
    var missing = runs();
    if (!missing.length || !rowsUrl) return;
    var xhr = new XMLHttpRequest();
    xhr.open("GET", urlFor(missing), false);
    try { xhr.send(); } catch (e) { return; }
    if (xhr.status === 200) fill(missing, xhr.responseText);
  }
  if (rowsUrl) {
    window.addEventListener("beforeprint", loadAllNow);
    if (window.matchMedia) {
      var printing = window.matchMedia("print");
      if (printing.addEventListener) printing.addEventListener("change", function (e) { if (e.matches) loadAllNow(); });
    }
    grid.addEventListener("click", function (e) {
      var link = e.target.closest && e.target.closest("a.load-rows");
      if (!link) return;
      e.preventDefault();
      link.textContent = "Loading…";
      loadRun(link.closest(".collapsed-run")).catch(function () { window.location = link.href; });
    });
    // Deferred chunks (past the page's text budget) load as the reader scrolls near them.
    if (window.IntersectionObserver) {
      var watcher = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) { watcher.unobserve(entry.target); loadRun(entry.target); }
        });
      }, { rootMargin: "1500px 0px" });
      grid.querySelectorAll(".collapsed-run.deferred").forEach(function (run) { watcher.observe(run); });
    }
  } else {
    foldUnchangedRuns();
  }

  // Every row was sent (a draft's preview): fold long unchanged runs on screen only.
  function foldUnchangedRuns() {
    var run = [];
    function flush() {
      if (run.length >= 3) {
        var hidden = run.slice(1, run.length - 1);
        hidden.forEach(function (r) { r.classList.add("collapsed"); });
        var toggle = document.createElement("div");
        toggle.className = "collapse-toggle";
        toggle.setAttribute("role", "row");
        var cell = document.createElement("div");
        cell.setAttribute("role", "cell");
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = "Show " + hidden.length + " unchanged clauses";
        button.addEventListener("click", function () {
          hidden.forEach(function (r) { r.classList.remove("collapsed"); });
          toggle.remove();
        });
        cell.appendChild(button);
        toggle.appendChild(cell);
        hidden[0].parentNode.insertBefore(toggle, hidden[0]);
      }
      run = [];
    }
    grid.querySelectorAll(".row").forEach(function (r) {
      if (r.classList.contains("is-change")) flush(); else run.push(r);
    });
    flush();
  }

  // A jump to a row that sits in a collapsed run loads that run first.
  function ensureRow(id) {
    var row = document.getElementById(id);
    if (row) return Promise.resolve(row);
    var n = parseInt(id.replace("row-", ""), 10) - 1;
    var run = runs().filter(function (r) { return n >= +r.dataset.start && n < +r.dataset.stop; })[0];
    if (!run) return Promise.resolve(null);
    return loadRun(run).then(function () { return document.getElementById(id); });
  }

  var only = document.getElementById("only-changes");
  if (only) only.addEventListener("change", function () {
    grid.classList.toggle("only-changes", only.checked);
  });
  var hideEditorial = document.getElementById("hide-editorial");
  if (hideEditorial) hideEditorial.addEventListener("change", function () {
    grid.classList.toggle("hide-editorial", hideEditorial.checked);
    if (list) list.classList.toggle("hide-editorial", hideEditorial.checked);
  });

  // Next / previous change walk the change list (it names every change, loaded or not).
  function changeIds() {
    var skipEditorial = hideEditorial && hideEditorial.checked;
    if (list) {
      // (The entries only: a clause edited several times lists its edits in a nested list.)
      return Array.prototype.slice.call(list.querySelectorAll(":scope > ol > li")).filter(function (li) {
        return !(skipEditorial && li.dataset.kind === "editorial");
      }).map(function (li) { return li.querySelector("a.jump").getAttribute("href").slice(1); });
    }
    return Array.prototype.slice.call(grid.querySelectorAll(".row.is-change")).filter(function (r) {
      return !(skipEditorial && r.dataset.kind === "editorial");
    }).map(function (r) { return r.id; });
  }
  function number(id) { return parseInt(id.replace("row-", ""), 10); }
  var current = null;
  function show(row) {
    if (!row) return;
    if (current) current.classList.remove("current-change");
    current = row;
    row.classList.remove("collapsed");
    row.classList.add("current-change");
    stickyTop();
    row.scrollIntoView({ block: "start" });
    history.replaceState(null, "", "#" + row.id);
    if (!list) return;
    list.querySelectorAll("li.current").forEach(function (li) { li.classList.remove("current"); });
    var item = list.querySelector('a.jump[href="#' + row.id + '"]');
    if (item) item.parentNode.classList.add("current");
  }
  function go(step) {
    var ids = changeIds();
    if (!ids.length) return;
    var at = current ? number(current.id) : (step > 0 ? 0 : Infinity);
    var next = step > 0 ? ids.filter(function (id) { return number(id) > at; })[0]
                        : ids.filter(function (id) { return number(id) < at; }).pop();
    if (next === undefined) next = step > 0 ? ids[0] : ids[ids.length - 1];
    ensureRow(next).then(show);
  }
  var nextButton = document.getElementById("next-change");
  var prevButton = document.getElementById("prev-change");
  if (nextButton) nextButton.addEventListener("click", function () { go(1); });
  if (prevButton) prevButton.addEventListener("click", function () { go(-1); });
  window.portal.shortcut("j", function () { go(1); });
  window.portal.shortcut("k", function () { go(-1); });
  if (list) list.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[href^='#row-']");
    if (!link) return;
    e.preventDefault();
    ensureRow(link.getAttribute("href").slice(1)).then(show);
  });
  grid.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest(".went-to a[href^='#row-'], .came-from a[href^='#row-']");
    if (!link) return;
    e.preventDefault();
    ensureRow(link.getAttribute("href").slice(1)).then(show);
  });
  if (location.hash.indexOf("#row-") === 0) ensureRow(location.hash.slice(1)).then(show);
})();

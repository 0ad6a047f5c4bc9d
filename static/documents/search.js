// Search: highlight the searched words in an opened document or clause page (the
// result links carry them as ?hl=word|a phrase), with a "next hit" control (key n),
// and the search box's suggestion list (clause headings, from /search/suggest/).
(function () {
  "use strict";

  function escapeRegExp(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  function highlight() {
    var params = new URLSearchParams(window.location.search);
    var raw = params.get("hl");
    if (!raw) { return; }
    var terms = raw.split("|").map(function (t) { return t.trim(); }).filter(function (t) {
      return t.length > 1 && t.length < 100;
    }).slice(0, 12);
    if (!terms.length) { return; }
    // Longest first, so a phrase wins over one of its words; words as whole words.
    terms.sort(function (a, b) { return b.length - a.length; });
    var pattern = new RegExp("\\b(" + terms.map(function (t) {
      return escapeRegExp(t).replace(/\s+/g, "\\s+");
    }).join("|") + ")\\b", "gi");
    var roots = document.querySelectorAll(".clause-body, .clause-heading, .clause-title");
    var marks = [];
    roots.forEach(function (root) {
      var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, null);
      var nodes = [];
      while (walker.nextNode()) { nodes.push(walker.currentNode); }
      nodes.forEach(function (node) {
        var text = node.nodeValue;
        pattern.lastIndex = 0;
        if (!pattern.test(text)) { return; }
        pattern.lastIndex = 0;
        var fragment = document.createDocumentFragment();
        var last = 0, match;
        while ((match = pattern.exec(text)) !== null) {
          fragment.appendChild(document.createTextNode(text.slice(last, match.index)));
          var mark = document.createElement("mark");
          mark.className = "search-hit";
          mark.textContent = match[0];
          fragment.appendChild(mark);
          marks.push(mark);
          last = match.index + match[0].length;
        }
        fragment.appendChild(document.createTextNode(text.slice(last)));
        node.parentNode.replaceChild(fragment, node);
      });
    });
    if (!marks.length) { return; }
    // Start at the clause the link points to (its anchor), else at the first hit.
    var start = 0;
    var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    if (target) {
      for (var i = 0; i < marks.length; i++) { if (target.contains(marks[i])) { start = i; break; } }
    }
    var nav = document.createElement("div");
    nav.className = "search-hit-nav";
    nav.setAttribute("role", "navigation");
    nav.setAttribute("aria-label", "Search hits");
    var status = document.createElement("span");
    status.setAttribute("aria-live", "polite");
    var next = document.createElement("button");
    next.type = "button";
    next.textContent = "Next hit";
    var clear = document.createElement("button");
    clear.type = "button";
    clear.textContent = "Clear";
    nav.appendChild(status); nav.appendChild(next); nav.appendChild(clear);
    document.body.appendChild(nav);
    var current = -1;
    function go(index) {
      if (current >= 0) { marks[current].classList.remove("current"); }
      current = (index + marks.length) % marks.length;
      marks[current].classList.add("current");
      marks[current].scrollIntoView({ block: "center" });
      status.textContent = "Hit " + (current + 1) + " of " + marks.length;
    }
    next.addEventListener("click", function () { go(current + 1); });
    clear.addEventListener("click", function () {
      marks.forEach(function (m) { m.replaceWith(document.createTextNode(m.textContent)); });
      nav.remove();
    });
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "textarea" || event.ctrlKey || event.metaKey || event.altKey) { return; }
      if (event.key === "n" && nav.isConnected) { go(current + 1); event.preventDefault(); }
    });
    if (target) { go(start); } else { status.textContent = marks.length + " hits"; current = start - 1; }
  }

  function suggestions(input) {
    var url = input.getAttribute("data-suggest-url");
    if (!url) { return; }
    var list = document.createElement("ul");
    list.className = "search-suggest";
    list.setAttribute("role", "listbox");
    list.id = input.id + "-suggestions";
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    input.parentNode.insertBefore(list, input.nextSibling);
    var timer = null, selected = -1, lastQuery = "";
    function close() { list.hidden = true; list.textContent = ""; selected = -1; }
    function choose(text) {
      var words = input.value.trim().split(/\s+/);
      input.value = text.indexOf(" ") >= 0 ? '"' + text.toLowerCase() + '"' : text.toLowerCase();
      if (words.length > 3) { input.value = words.slice(0, -3).join(" ") + " " + input.value; }
      close();
      input.form.submit();
    }
    function show(items) {
      list.textContent = "";
      items.forEach(function (text) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.textContent = text;
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(text); });
        list.appendChild(li);
      });
      list.hidden = !items.length;
      selected = -1;
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2 || /["():*~]/.test(q)) { close(); return; }
      timer = setTimeout(function () {
        if (q === lastQuery) { return; }
        lastQuery = q;
        fetch(url + "?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
          .then(function (data) { if (input.value.trim() === q) { show(data.suggestions || []); } })
          .catch(function () { close(); });
      }, 150);
    });
    input.addEventListener("keydown", function (event) {
      var items = list.querySelectorAll("li");
      if (list.hidden || !items.length) { return; }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (selected >= 0) { items[selected].removeAttribute("aria-selected"); }
        selected = (selected + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
        items[selected].setAttribute("aria-selected", "true");
      } else if (event.key === "Enter" && selected >= 0) {
        event.preventDefault();
        choose(items[selected].textContent);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    highlight();
    document.querySelectorAll("input[data-suggest-url]").forEach(suggestions);
  });
})();

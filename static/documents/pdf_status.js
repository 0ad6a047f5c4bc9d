// "Preparing your PDF…": look again every few seconds (the server made the PDF in the
// background) and start the download when it is there; the page says so in its status
// line. Without script, the page's "Check now" link does the same by hand. (No
// <meta http-equiv="refresh">: a page that reloads itself on a timer is a barrier to
// people using screen readers, WCAG 2.2.1.)
(function () {
  "use strict";
  var box = document.querySelector(".pdf-status[data-pdf-url]");
  if (!box || !window.fetch) return;
  var url = box.dataset.pdfUrl;
  var every = (parseInt(box.dataset.refresh, 10) || 3) * 1000;
  var message = box.querySelector(".pdf-progress");
  var tries = 0;
  function look() {
    tries += 1;
    fetch(url, { method: "HEAD", credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (r.status === 200) {
        if (message) message.textContent = "Your PDF is ready: the download starts now.";
        window.location.assign(url);
      } else if (r.status === 202 && tries < 200) {
        setTimeout(look, every);
      } else if (message) {
        message.textContent = "The PDF could not be prepared. Reload this page to try again.";
      }
    }, function () { setTimeout(look, every * 2); });
  }
  setTimeout(look, every);
})();

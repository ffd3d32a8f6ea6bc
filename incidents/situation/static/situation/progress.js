/* A situation report being generated: poll its progress, then show it (incidents/situation/views.py). */
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box) return;
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        bar.value = state.progress;
        var lang = document.documentElement.lang;
        text.textContent = new Intl.NumberFormat(lang === "ar" ? "ar-u-nu-arab" : lang).format(state.progress) + "%";
        if (state.status === "done" || state.status === "failed") { window.location.assign(box.dataset.done); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();

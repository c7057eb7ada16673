/* Staff console: "复制答复" (clipboard with a textarea fallback), confirmation of forms marked
   data-confirm (no inline handlers: the CSP forbids them) and the rebuild progress poller. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
  function fallbackCopy(area) {
    area.removeAttribute("readonly");
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.setAttribute("readonly", "");
    return ok;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.copy") : null;
    if (!button) { return; }
    var area = document.getElementById(button.getAttribute("data-target"));
    var status = button.parentNode.querySelector(".copied");
    if (!area) { return; }
    function done(ok) { if (status) { status.textContent = ok ? "已复制" : "复制失败，请手动选择文字复制"; } }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(area.value).then(function () { done(true); }, function () { done(fallbackCopy(area)); });
    } else {
      done(fallbackCopy(area));
    }
  });

  var panel = document.getElementById("job");
  if (panel && panel.getAttribute("data-status-url")) {
    var url = panel.getAttribute("data-status-url");
    var bar = panel.querySelector("progress");
    var text = panel.querySelector(".job-text");
    var poll = function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (bar) { bar.value = s.progress || 0; }
          if (text) { text.textContent = s.message || ""; }
          panel.setAttribute("data-state", s.state);
          if (s.state === "running") { setTimeout(poll, 700); }
          else if (panel.getAttribute("data-was-running") === "1") { window.location.reload(); }
          if (s.state === "running") { panel.setAttribute("data-was-running", "1"); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    poll();
  }
})();

// OGP portal: live updates and the confirm dialog. Served from /static; no inline scripts (CSP).
(function () {
  "use strict";

  // Live: the server sends "changed" with a topic (apps, hosts, events); the page's live region
  // listens for "ogp:<topic>" on <body> and fetches its fragment again (hx-trigger). Every time the
  // stream (re)connects, every topic is signalled: a change between rendering the page and
  // connecting, or while disconnected, would otherwise be missed.
  function connectLive() {
    var dot = document.getElementById("live-dot");
    var source = new EventSource("/live");
    function signal(topic) {
      document.body.dispatchEvent(new CustomEvent("ogp:" + topic));
    }
    source.addEventListener("open", function () {
      if (dot) { dot.classList.add("on"); dot.title = "live updates: connected"; }
      ["apps", "hosts", "events"].forEach(signal);
    });
    source.addEventListener("error", function () {
      if (dot) { dot.classList.remove("on"); dot.title = "live updates: reconnecting"; }
    });
    source.addEventListener("changed", function (e) { signal(e.data); });
  }

  // The confirm dialog: a preview form's response (the diff and the confirm form) is swapped into
  // #action-body by htmx; then the dialog opens. Cancel closes it.
  function wireDialog() {
    var dialog = document.getElementById("action-dialog");
    if (!dialog) return;
    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (e.detail.target && e.detail.target.id === "action-body" && !dialog.open) dialog.showModal();
    });
    dialog.addEventListener("click", function (e) {
      if (e.target.closest("[data-close-dialog]")) { e.preventDefault(); dialog.close(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.dataset.live) connectLive();
    wireDialog();
  });
})();

// The sign-in popup's last page hands its result to the article that opened it: the JSON in #rj-result goes
// only to the article page's origin (data-target), which the server checked against the site's allowed
// origins at the start and again at the callback (never a wildcard). A file, so that the page's CSP allows
// no inline script. data-close="1" closes the popup once the result is posted (success; errors stay shown).
(function () {
  var node = document.getElementById("rj-result");
  if (!node) return;
  var target = node.getAttribute("data-target");
  if (!target || !window.opener || window.opener.closed) return;
  window.opener.postMessage(JSON.parse(node.textContent), target);
  if (node.getAttribute("data-close") === "1") window.close();
})();

/* The reply form's template chooser: choosing a template fills the reply text at once (without this
   script the "Insert the template" button reloads the page with the text filled in). */
(function () {
  "use strict";
  document.addEventListener("change", function (ev) {
    var select = ev.target;
    if (!select.matches || !select.matches("select[data-fills]")) return;
    var option = select.options[select.selectedIndex];
    var body = option ? option.getAttribute("data-body") : null;
    var text = document.getElementById(select.getAttribute("data-fills"));
    if (!text || body === null) return;
    text.value = body;
    text.focus();
  });
})();

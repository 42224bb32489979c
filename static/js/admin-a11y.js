// The officers' desk: the admin's two-box pickers (hosts, neighbourhoods) draw a magnifier icon as a
// <span> with an aria-label, which a plain span may not carry; as an image it may (WCAG 4.1.2).
"use strict";
window.addEventListener("load", function () {
  document.querySelectorAll("span.help-tooltip[aria-label]").forEach(function (icon) {
    icon.setAttribute("role", "img");
  });
});

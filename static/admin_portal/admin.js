// Django's admin builds the two-list selector ("filter_horizontal") when the
// page has loaded, and labels its magnifier icon with aria-label on a span
// that has no role, which assistive technology may ignore. The icon is given
// the role "img" here, so that its label is announced.
"use strict";

(function () {
  function labelIcons(root) {
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(
      function (icon) {
        icon.setAttribute("role", "img");
      },
    );
  }

  new MutationObserver(function () {
    labelIcons(document);
  }).observe(document.documentElement, { childList: true, subtree: true });
})();

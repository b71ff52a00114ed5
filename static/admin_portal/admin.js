// Fixes to Django's admin widgets that are built when the page has loaded.
//
// The two-list selector ("filter_horizontal") labels its magnifier icon with
// aria-label on a span that has no role, which assistive technology may
// ignore: the icon is given the role "img", so that its label is announced.
//
// The search-as-you-type selection ("autocomplete_fields", Select2) names its
// combobox by the selected value only, so an empty one has no name at all:
// it is named by the field's label as well.
"use strict";

(function () {
  function labelIcons(root) {
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(
      function (icon) {
        icon.setAttribute("role", "img");
      },
    );
  }

  function labelAutocompletes(root) {
    root.querySelectorAll("select.admin-autocomplete[id]").forEach(
      function (select) {
        const label = root.querySelector('label[for="' + select.id + '"]');
        const container = select.nextElementSibling;
        if (!label || !container) {
          return;
        }
        label.id = label.id || select.id + "-label";
        container.querySelectorAll(".select2-selection").forEach(
          function (combobox) {
            const rendered = combobox.querySelector(".select2-selection__rendered");
            const names = [label.id];
            if (rendered && rendered.id) {
              names.push(rendered.id);
              rendered.setAttribute("aria-labelledby", label.id + " " + rendered.id);
            }
            if (combobox.getAttribute("aria-labelledby") !== names.join(" ")) {
              combobox.setAttribute("aria-labelledby", names.join(" "));
            }
          },
        );
      },
    );
  }

  new MutationObserver(function () {
    labelIcons(document);
    labelAutocompletes(document);
  }).observe(document.documentElement, { childList: true, subtree: true });
})();

// Three small additions to Material for MkDocs, loaded on every page.

// 1. A copy button copies the code exactly as the page shows it. Material's
//    own handler trims the trailing newline, so a copied file would lose its
//    last line ending; this listener runs after it and copies the full text.
document.addEventListener("click", function (event) {
  var button = event.target.closest('button.md-code__button[data-md-type="copy"]');
  var code = button && document.querySelector(button.getAttribute("data-clipboard-target"));
  if (code && navigator.clipboard) {
    navigator.clipboard.writeText(code.textContent);
  }
});

// 2. The search panel is a dialog, and a dialog needs an accessible name:
//    use the search box's own label ("搜索" / "Search").
(function () {
  var dialog = document.querySelector('.md-search[role="dialog"]');
  var input = dialog && dialog.querySelector("input");
  if (dialog && input && !dialog.hasAttribute("aria-label")) {
    dialog.setAttribute("aria-label", input.getAttribute("aria-label") || input.getAttribute("placeholder"));
  }
})();

// 3. Regions that scroll sideways (wide tables, diagrams on a phone) can be
//    scrolled with the keyboard too: each gets a place in the tab order
//    (axe-core: scrollable-region-focusable). Code blocks have one already.
document.querySelectorAll(
  ".md-typeset__scrollwrap, .md-typeset p:has(> img[src$='.svg']:only-child)"
).forEach(function (region) {
  if (region.scrollWidth > region.clientWidth && !region.hasAttribute("tabindex")) {
    region.setAttribute("tabindex", "0");
  }
});

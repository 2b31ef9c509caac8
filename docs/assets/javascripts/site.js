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

// 3. Regions that scroll sideways (wide tables, code blocks, diagrams on a
//    phone) can be scrolled with the keyboard too: each one that scrolls has
//    a place in the tab order, and loses it once it fits (axe-core:
//    scrollable-region-focusable). Material wraps tables in their scrolling
//    region only when it sets up the page (document$), after this script has
//    run, and gives a code block a tab stop only where there is a mouse
//    ("(hover)"), so phones had none. It sets up a code block when the block
//    first comes into view (content.lazy), so whatever it does to the tab
//    stop then is looked at again; otherwise the decision is made again on
//    every change of size.
(function () {
  // A code block far from the screen is not laid out (content-visibility,
  // hooks/lazy_code.py): measuring it would lay it out, so it waits until
  // it is drawn, which changes its size. All the widths are read first,
  // then the tab stops written: a write between two reads would make the
  // browser lay out the page again.
  function drawn(region) {
    return !region.checkVisibility || region.checkVisibility({ contentVisibilityAuto: true });
  }
  function fit(regions) {
    regions = regions.filter(drawn);
    var scrolls = regions.map(function (region) {
      return region.scrollWidth > region.clientWidth;
    });
    regions.forEach(function (region, i) {
      if (scrolls[i] && region.getAttribute("tabindex") !== "0") {
        region.setAttribute("tabindex", "0");
      } else if (!scrolls[i] && region.hasAttribute("tabindex")) {
        region.removeAttribute("tabindex");
      }
    });
  }
  var observer = new ResizeObserver(function (entries) {
    fit(entries.map(function (entry) {
      return entry.target;
    }));
  });
  var retabbed = new MutationObserver(function (mutations) {
    fit(mutations.map(function (mutation) {
      return mutation.target;
    }));
  });
  function watch() {
    document.querySelectorAll(".md-typeset__scrollwrap, .md-typeset pre > code").forEach(function (region) {
      observer.observe(region);
    });
    document.querySelectorAll(".md-typeset pre > code").forEach(function (region) {
      retabbed.observe(region, { attributes: true, attributeFilter: ["tabindex"] });
    });
    document.querySelectorAll(".md-typeset p > img[src$='.svg']:only-child").forEach(function (image) {
      observer.observe(image.parentElement);
    });
  }
  if (window.document$) {
    window.document$.subscribe(watch);
  } else {
    watch();
  }
})();

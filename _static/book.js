/* Make the sidebar toggles work (pydata-sphinx-theme 0.17.1 with sphinx-book-theme 1.3.0).
 *
 * Both themes bind their handlers to document.querySelector('.primary-toggle') and '.secondary-toggle':
 * the FIRST such button, which since pydata-sphinx-theme 0.17 is the theme's own navbar button in the
 * header that sphinx-book-theme hides. The buttons a reader sees (in the article header) get no handler, so
 * neither drawer opens on a phone and the sidebar does not collapse on a desktop
 * (pydata/pydata-sphinx-theme#2451). This script forwards a click on every other toggle to the first one,
 * so the themes' own code runs: a drawer on a narrow screen, the collapse of the sidebar on a wide one.
 * It runs on DOMContentLoaded, after both themes have bound their handlers; remove it when the pinned pair
 * of versions binds to the visible buttons (tests/test_browser.py clicks each toggle).
 */
document.addEventListener("DOMContentLoaded", () => {
  for (const selector of [".primary-toggle", ".secondary-toggle"]) {
    const bound = document.querySelector(selector);
    if (!bound) continue;
    for (const button of document.querySelectorAll(selector)) {
      if (button === bound) continue;
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
      });
    }
  }
});

/* A table wider than its column scrolls sideways inside its box (the theme's .pst-scrollable-table-container).
 * Say so: the box gets the class "scrolls" (a coloured edge, _static/tables.css) and a line above it reads
 * "Scroll sideways for more columns", shown only while the table does not fit; the box can be scrolled with
 * the keyboard (tabindex) and is named by the table's caption for screen readers.
 */
(() => {
  const boxes = () => document.querySelectorAll(".pst-scrollable-table-container");
  const update = () => {
    for (const box of boxes()) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("scrolls", scrolls);
      let cue = box.previousElementSibling;
      if (!cue || !cue.classList.contains("scroll-cue")) {
        cue = document.createElement("p");
        cue.className = "scroll-cue";
        cue.textContent = "Scroll sideways for more columns \u2192";
        box.before(cue);
      }
      cue.classList.toggle("shown", scrolls);
      if (scrolls) {
        box.setAttribute("tabindex", "0");
        const table = box.querySelector("table[aria-labelledby]");
        if (table) {
          box.setAttribute("role", "region");
          box.setAttribute("aria-labelledby", table.getAttribute("aria-labelledby"));
        }
      }
    }
  };
  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("load", update);
  window.addEventListener("resize", update);
})();

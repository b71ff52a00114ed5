// Evaluated in the page by test_text_spacing_and_zoom.py: what is lost of
// the page's text at the current width and spacing.
() => {
  const selectors =
    "h1, h2, h3, h4, p, label, legend, dt, dd, th, td, li, button, .kern-btn," +
    " input, select, textarea";
  const containers = selectors + ", ul, ol, div, form, table, dl";
  const viewportWidth = document.documentElement.clientWidth;
  const hidden = (element) => {
    const skipped =
      ".kern-sr-only, .portal-skip-link, [hidden], dialog:not([open])";
    if (element.closest(skipped)) {
      return true;
    }
    const box = element.getBoundingClientRect();
    return box.width === 0 || box.height === 0;
  };

  // Text cut off by a box that hides what does not fit.
  const clipped = [];
  const clips = (value) => value === "hidden" || value === "clip";
  for (const element of document.body.querySelectorAll("*")) {
    if (hidden(element) || !element.textContent.trim()) continue;
    const style = getComputedStyle(element);
    if (
      (clips(style.overflowX) && element.scrollWidth > element.clientWidth + 1) ||
      (clips(style.overflowY) && element.scrollHeight > element.clientHeight + 1)
    ) {
      clipped.push(element.outerHTML.slice(0, 120));
    }
  }

  // Text blocks drawn over each other: innermost blocks, compared in pairs.
  const blocks = [...document.body.querySelectorAll(selectors)]
    .filter((element) => !hidden(element))
    .filter((element) => getComputedStyle(element).display !== "inline")
    .filter(
      (element) => ![...element.children].some((child) => child.matches(containers)),
    );
  const overlapping = [];
  for (let i = 0; i < blocks.length; i++) {
    const a = blocks[i].getBoundingClientRect();
    for (let j = i + 1; j < blocks.length; j++) {
      if (blocks[i].contains(blocks[j]) || blocks[j].contains(blocks[i])) continue;
      const b = blocks[j].getBoundingClientRect();
      const width = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const height = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (width > 2 && height > 2) {
        overlapping.push(
          `${blocks[i].outerHTML.slice(0, 80)} / ${blocks[j].outerHTML.slice(0, 80)}`,
        );
      }
    }
  }

  // Horizontal scrolling of the page, with the innermost boxes causing it.
  const scroll = Math.max(0, document.documentElement.scrollWidth - viewportWidth);
  const sticksOut = (element) =>
    element.getBoundingClientRect().right > viewportWidth + 1;
  const wide = scroll
    ? [...document.body.querySelectorAll("*")]
        .filter((element) => !hidden(element) && sticksOut(element))
        .filter((element) => ![...element.children].some(sticksOut))
        .map((element) => element.outerHTML.slice(0, 120))
    : [];
  return { scroll, wide, clipped, overlapping };
}

// Checks a page as its users meet it, shared by the page tests: every visible form control has a
// label, and texts meet WCAG AA contrast (4.5:1) on their background.
import { expect } from "chai";
import type { Page } from "playwright-core";

/** Every visible form control has a label; texts meet 4.5:1 contrast on their background. */
export async function checkAccessibility(page: Page) {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")]
      .filter((n) => (n as HTMLElement).offsetParent !== null && (n as HTMLInputElement).type !== "hidden")
      .filter((n) => !((n as HTMLInputElement).labels?.length || n.getAttribute("aria-label") || n.getAttribute("aria-labelledby")))
      .map((n) => n.outerHTML),
  );
  expect(unlabelled, "controls without a label").to.deep.equal([]);
  const lowContrast = await page.evaluate(() => {
    const rgb = (s: string) => (s.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const c = [r, g, b].map((v) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const background = (n: Element | null): number[] => {
      for (; n; n = n.parentElement) {
        const c = rgb(getComputedStyle(n).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const bad: string[] = [];
    for (const n of document.querySelectorAll(".ws-status, th, td, .button:not(:disabled), a, .hint, label, legend, h1, h2, .ws-nav a, .ws-user")) {
      if ((n as HTMLElement).offsetParent === null || !n.textContent?.trim()) continue;
      const fg = lum(rgb(getComputedStyle(n).color).slice(0, 3));
      const bg = lum(background(n));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) bad.push(`${n.tagName}.${n.className} ${ratio.toFixed(2)} "${n.textContent.trim().slice(0, 30)}"`);
    }
    return bad;
  });
  expect(lowContrast, "texts below 4.5:1").to.deep.equal([]);
}

// Chromium for the page tests: the Debian package's binary driven by playwright-core (which cannot
// download a browser here), in a persistent context on a throw-away profile.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
export const SHOTS = path.join(__dirname, "../../test-results");

/** A launched browser: its context, and close() that also removes the profile. */
export type TestBrowser = { context: BrowserContext; close(): Promise<void> };

export const haveChromium = () => fs.existsSync(CHROMIUM);

/**
 * A browser with a fresh profile. Playwright's launch() refuses --user-data-dir; a persistent context
 * on a temporary directory is the same browser with an explicit, throw-away profile.
 */
export async function launchBrowser(
  name: string,
  options: { viewport?: { width: number; height: number }; timezoneId?: string } = {},
): Promise<TestBrowser> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-profile-`));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: options.viewport ?? { width: 1200, height: 900 },
    timezoneId: options.timezoneId ?? "Asia/Shanghai",
    acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

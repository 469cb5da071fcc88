/**
 * Headless Debian Chromium driven by playwright-core, for the explorer tests. Never downloads a
 * browser: /usr/bin/chromium must be there (`apt-get install -y chromium`; `npm test` installs it as root: test/ensure-chromium.mjs).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { ROOT } from "../helpers/node-process.js";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOTS = join(ROOT, "test-output", "screenshots");

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Session {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen so far (emptied by takeErrors). */
  takeErrors: () => string[];
  screenshot: (name: string, page?: Page) => Promise<string>;
  close: () => Promise<void>;
}

/** Watches a page for console errors and uncaught exceptions. */
export function watch(page: Page, errors: string[]): void {
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on("pageerror", (err) => errors.push(`page error: ${err.message}`));
}

/** A headless Chromium with a fresh profile; `extraArgs` adds switches (e.g. --host-resolver-rules). */
export async function openBrowser(extraArgs: string[] = []): Promise<Session> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's (apt-get update && apt-get install -y chromium); never 'playwright install'`,
    );
  }
  if (!existsSync(join(ROOT, "web", "dist", "index.html"))) throw new Error("web/dist is not built: run npm run build");
  mkdirSync(SCREENSHOTS, { recursive: true });
  // playwright gives each launch a fresh throwaway profile (it refuses --user-data-dir here).
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, ...extraArgs], timeout: 30_000 });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  watch(page, errors);
  return {
    browser,
    context,
    page,
    takeErrors: () => errors.splice(0),
    screenshot: async (name, p = page) => {
      const path = join(SCREENSHOTS, `${name}.png`);
      await p.screenshot({ path, fullPage: true });
      return path;
    },
    close: async () => {
      await browser.close().catch(() => {});
    },
  };
}

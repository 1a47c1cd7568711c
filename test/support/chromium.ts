/**
 * Real Chromium for the browser tests, driven with playwright-core: Debian's
 * /usr/bin/chromium, headless, with nothing that reaches the network on its own.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Why the browser tests cannot run here, or undefined when they can. With
 * TEXTKIT_REQUIRE_CHROMIUM=1 a missing browser is not a reason to skip: `launchChromium`
 * then fails.
 *
 * @example
 * describe("dashboard", { skip: chromiumSkipReason() }, () => { ... });
 */
export function chromiumSkipReason(): string | undefined {
  if (existsSync(CHROMIUM_PATH) || process.env["TEXTKIT_REQUIRE_CHROMIUM"] === "1") return undefined;
  return `no browser at ${CHROMIUM_PATH}; install it with: apt-get install -y --no-install-recommends chromium`;
}

export interface LaunchedChromium {
  browser: Browser;
  /** Closes the browser (playwright removes the temporary profile it made). */
  close(): Promise<void>;
}

/**
 * Launches Chromium. Playwright gives each launch a fresh temporary profile of its own (it
 * refuses a --user-data-dir argument), so no state leaks between runs.
 *
 * @example
 * const { browser, close } = await launchChromium();
 * const page = await browser.newPage();
 * await close();
 */
export async function launchChromium(): Promise<LaunchedChromium> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `TEXTKIT_REQUIRE_CHROMIUM=1 but there is no browser at ${CHROMIUM_PATH}; install it with: apt-get install -y --no-install-recommends chromium`,
    );
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, timeout: 60_000 });
  return { browser, close: () => browser.close() };
}

/**
 * Waits until `check` holds, polling every 100 ms; fails the test naming `what` after
 * `timeoutMs`. For pages that update after a request or a redraw.
 */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

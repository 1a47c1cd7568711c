/**
 * A full-page screenshot of a running dashboard, for the docs:
 *   node --import tsx scripts/screenshot-dashboard.ts http://127.0.0.1:8080/dashboard/#/monitor docs/dashboard-monitor.png
 * TEXTKIT_API_KEY, when set, is handed to the page as if pasted into its key field.
 * Options: --width N (default 1280), --height N (default 900).
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { launchChromium } from "../test/support/chromium.ts";

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at === -1) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 200)
    throw new Error(`${name} must be a whole number of pixels >= 200`);
  return value;
}

/**
 * Browser-side check, as a string: this file is type-checked with Node's types, not the DOM's.
 * True once the page shows its first data (summary numbers, the model table, the assistants)
 * or a message.
 */
const PAGE_HAS_DATA = `
  document.querySelector('[data-testid="summary-documents"] .tile-value')?.textContent !== "—" ||
  document.querySelector('[data-testid="model"]') !== null ||
  document.querySelector('[data-testid="monitor-disabled"]:not([hidden])') !== null ||
  document.querySelector('[data-testid="assistant-select"] option') !== null ||
  document.querySelector('[data-testid="assist-empty"]:not([hidden])') !== null ||
  document.querySelector('[data-testid="error-banner"]:not([hidden])') !== null`;

async function main(args: string[]): Promise<void> {
  const [url, out] = args.filter((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
  if (url === undefined || out === undefined) {
    throw new Error("usage: node --import tsx scripts/screenshot-dashboard.ts <dashboard url> <out.png>");
  }
  const width = option(args, "--width", 1280);
  const height = option(args, "--height", 900);
  const { browser, close } = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
    const key = process.env["TEXTKIT_API_KEY"];
    if (key !== undefined && key !== "") {
      await page.addInitScript({
        content: `sessionStorage.setItem("textkit.apiKey", ${JSON.stringify(key)});`,
      });
    }
    await page.goto(url, { waitUntil: "networkidle" });
    // Take the picture anyway after 15 s: a picture of an error says something too.
    // Polled from here: page.waitForFunction evaluates strings in the page, which its CSP forbids.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !(await page.evaluate<boolean>(PAGE_HAS_DATA))) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await page.waitForLoadState("networkidle");
    const path = resolve(out);
    mkdirSync(dirname(path), { recursive: true });
    await page.screenshot({ path, fullPage: true });
    console.log(`wrote ${path}`);
  } finally {
    await close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});

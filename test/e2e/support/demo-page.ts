import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright";
import { startDemo, type RunningDemo, type StartDemoOptions } from "../../../examples/demo/server/start-demo";
import type { ChaosSwitchId } from "../../../examples/demo/shared/protocol";
import { chromiumLaunchOptions } from "../../../scripts/browser/chromium";

/** Screenshots of the run, inside the project (gitignored). */
export const SCREENSHOT_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../../test-results/e2e");

/** What the page shows, read from its data-testid attributes. */
export interface DemoView {
  readonly status: string;
  readonly connection: string;
  readonly replays: number;
  /** Liveness probes so far (the SyncDebugPanel's row). */
  readonly probes: number;
  readonly ours: number;
  readonly naive: number;
  readonly naiveDifferent: number;
  /** Comparisons with the server so far (one every 500 ms). */
  readonly checks: number;
  readonly oursTiles: number;
  readonly oursArmies: number;
  readonly naiveTiles: number;
  readonly banner: string;
  readonly prompt: boolean;
  readonly active: string;
}

/**
 * Installed in the page before its scripts: `__demoView()` reads the DOM. Written as a string so no transform of this
 * file (which may add helpers such as `__name`) reaches the browser.
 */
export const VIEW_SCRIPT = `
window.__demoView = () => {
  const q = (id) => document.querySelector('[data-testid="' + id + '"]');
  const n = (id, attr) => Number(q(id)?.getAttribute(attr) ?? NaN);
  return {
    status: q("sync-status")?.getAttribute("data-status") ?? "none",
    connection: document.querySelector('[data-tsg-debug-row="connection"] dd')?.textContent ?? "none",
    replays: n("replays", "data-value"),
    probes: Number(document.querySelector('[data-tsg-debug-row="probes"] dd')?.textContent ?? NaN),
    ours: n("difference-ours", "data-value"),
    naive: n("difference-naive", "data-value"),
    naiveDifferent: n("difference-naive", "data-different"),
    checks: n("difference-ours", "data-checks"),
    oursTiles: n("map-ours", "data-tiles"),
    oursArmies: n("map-ours", "data-armies"),
    naiveTiles: n("map-naive", "data-tiles"),
    banner: document.querySelector("[data-tsg-banner]")?.getAttribute("data-state") ?? "none",
    prompt: document.querySelector('[role="alertdialog"]') !== null,
    active: q("chaos-panel")?.getAttribute("data-active") ?? "",
  };
};
// The highest value each watched counter took since watching began, caught by a MutationObserver (no sampling).
window.__peaks = {};
window.__watchPeak = (id) => {
  const element = document.querySelector('[data-testid="' + id + '"]');
  window.__peaks[id] = Number(element.getAttribute("data-value"));
  new MutationObserver(() => {
    window.__peaks[id] = Math.max(window.__peaks[id], Number(element.getAttribute("data-value")));
  }).observe(element, { attributes: true, attributeFilter: ["data-value"] });
};
`;

export interface DemoSessionHandle {
  readonly demo: RunningDemo;
  readonly browser: Browser;
  readonly page: Page;
  /** Closes the page, the browser and the demo (servers, sockets, timers). */
  close(): Promise<void>;
}

let browserPromise: Promise<Browser> | undefined;

/** One Chromium per test file, launched with the project's arguments (no host but this machine is reachable). */
export async function launchBrowser(): Promise<Browser> {
  browserPromise ??= chromiumLaunchOptions().then((options) => chromium.launch(options));
  return browserPromise;
}

/** Starts the demo on a free port and opens it in a fresh page; resolves once the page is streaming with tiles drawn. */
export async function openDemo(options: StartDemoOptions = {}): Promise<DemoSessionHandle> {
  const demo = await startDemo({ port: 0, ...options });
  let browser: Browser | undefined;
  let page: Page | undefined;
  try {
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await page.addInitScript(VIEW_SCRIPT);
    await page.goto(demo.url);
    await waitForView(page, "v.status === 'streaming' && v.oursTiles > 0 && v.oursArmies > 0", 60_000);
  } catch (error) {
    await page?.close();
    await demo.close();
    throw error;
  }
  const opened = page;
  return {
    demo,
    browser,
    page: opened,
    close: async () => {
      await opened.close();
      await demo.close();
    },
  };
}

export async function closeBrowser(): Promise<void> {
  const launched = browserPromise;
  browserPromise = undefined;
  if (launched !== undefined) await (await launched).close();
}

export async function view(page: Page): Promise<DemoView> {
  return (await page.evaluate("window.__demoView()")) as DemoView;
}

/** Waits until `condition`, a JavaScript expression over `v` (the DemoView), holds in the page. */
export async function waitForView(page: Page, condition: string, timeoutMs = 30_000): Promise<DemoView> {
  try {
    await page.waitForFunction(`(() => { const v = window.__demoView(); return ${condition}; })()`, undefined, { timeout: timeoutMs, polling: 50 });
  } catch (error) {
    throw new Error(`waited ${timeoutMs} ms for ${condition}; the page shows ${JSON.stringify(await view(page).catch(() => undefined))}`, { cause: error });
  }
  return view(page);
}

export async function flip(page: Page, id: ChaosSwitchId): Promise<void> {
  await page.click(`[data-testid="chaos-${id}"]`);
}

/**
 * Back in sync after a disruption: streaming, and the SDK's RECS world equal to the server on a comparison made at
 * least `freshChecks` polls (500 ms each) after this call.
 */
export async function waitForInSync(page: Page, timeoutMs = 30_000, freshChecks = 3): Promise<DemoView> {
  const { checks } = await view(page);
  return waitForView(page, `v.status === 'streaming' && v.ours === 0 && v.checks >= ${checks + freshChecks}`, timeoutMs);
}

/** Starts recording the highest value a difference counter (`difference-ours`, `difference-naive`) takes. */
export async function watchPeak(page: Page, testId: string): Promise<void> {
  await page.evaluate(`window.__watchPeak(${JSON.stringify(testId)})`);
}

export async function peak(page: Page, testId: string): Promise<number> {
  return (await page.evaluate(`window.__peaks[${JSON.stringify(testId)}]`)) as number;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

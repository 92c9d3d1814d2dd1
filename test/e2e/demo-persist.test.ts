import type { Page } from "playwright";
import { afterAll, describe, expect, it, vi } from "vitest";
import { startDemo } from "../../examples/demo/server/start-demo";
import { closeBrowser, launchBrowser, openDemo, screenshot, VIEW_SCRIPT, waitForInSync, waitForView } from "./support/demo-page";

/** The status bar's cache line (`data-testid="cache-status"`), read from its data attributes. */
interface CacheView {
  /** `opening` (also before the pipeline reports its cache), `cold` (a miss), `replaying-cache` (fromCache), `warm` (a hit, confirmed). */
  readonly start: string;
  readonly fromCache: boolean;
  readonly hits: number;
  readonly hydrated: number;
  readonly role: string;
  readonly flushes: number;
  readonly watermark: string;
}

/** Strings, not functions, reach the page (see VIEW_SCRIPT in ./support/demo-page). */
const CACHE_VIEW = `(() => {
  const e = document.querySelector('[data-testid="cache-status"]');
  const n = (attr) => Number(e?.getAttribute(attr) ?? NaN);
  return {
    start: e?.getAttribute("data-start") ?? "none",
    fromCache: e?.getAttribute("data-from-cache") === "true",
    hits: n("data-hits"),
    hydrated: n("data-hydrated"),
    role: e?.getAttribute("data-role") ?? "none",
    flushes: n("data-flushes"),
    watermark: e?.getAttribute("data-watermark") ?? "",
  };
})()`;

/** Records, from the page's first script on, whether the cache line ever said it showed the cached world. */
const SAW_FROM_CACHE = `
window.__sawFromCache = false;
new MutationObserver(() => {
  if (document.querySelector('[data-testid="cache-status"][data-from-cache="true"]') !== null) window.__sawFromCache = true;
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-from-cache"] });
`;

/** Records whether the cache line ever said the cache was off (the demo always persists: it never is). */
const SAW_CACHE_OFF = `
window.__sawCacheOff = false;
new MutationObserver(() => {
  const line = document.querySelector('[data-testid="cache-status"]');
  if (line !== null && (line.getAttribute("data-start") === "off" || /cache off/.test(line.textContent ?? ""))) window.__sawCacheOff = true;
}).observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["data-start"] });
`;

async function cacheView(page: Page): Promise<CacheView> {
  return (await page.evaluate(CACHE_VIEW)) as CacheView;
}

/** Waits until `condition`, a JavaScript expression over `c` (the CacheView), holds in the page. */
async function waitForCache(page: Page, condition: string, timeoutMs = 30_000): Promise<CacheView> {
  try {
    await page.waitForFunction(`(() => { const c = ${CACHE_VIEW}; return ${condition}; })()`, undefined, { timeout: timeoutMs, polling: 50 });
  } catch (error) {
    throw new Error(`waited ${timeoutMs} ms for ${condition}; the cache line shows ${JSON.stringify(await cacheView(page).catch(() => undefined))}`, { cause: error });
  }
  return cacheView(page);
}

/** Torii subscriptions a page's SDK side opens (the entity stream), and its naive side (`getSyncEntities`). */
const SDK_SUBSCRIPTIONS = 1;
const NAIVE_SUBSCRIPTIONS = 1;

describe("the demo (npm start): the persist option", () => {
  afterAll(closeBrowser);

  it("should start warm from the cache on reload and be equal to the server again", async () => {
    const { page, close } = await openDemo();
    try {
      await waitForInSync(page, 30_000, 3);
      // A fresh context: nothing cached, so a cold start; the only tab leads. Wait until the cache holds a watermark.
      const cold = await waitForCache(page, "c.flushes > 0 && c.watermark !== '' && c.role === 'leader'");
      expect(cold.start).toBe("cold");
      expect(cold.hits).toBe(0);

      await page.addInitScript(SAW_FROM_CACHE);
      await page.reload();
      await waitForView(page, "v.status === 'streaming' && v.oursTiles > 0 && v.oursArmies > 0", 60_000);
      const warm = await waitForCache(page, "c.start === 'warm'");
      expect(warm.hits).toBe(1);
      expect(warm.hydrated).toBeGreaterThan(100);
      expect(warm.role).toBe("leader");
      // Before the boot replay confirmed it, the page said it showed the cached world.
      expect(await page.evaluate("window.__sawFromCache")).toBe(true);
      const shown = await waitForInSync(page, 30_000, 3);
      expect(shown.oursTiles).toBeGreaterThan(100);
      await screenshot(page, "persist-warm-start");
    } finally {
      await close();
    }
  });

  it("should let a second tab follow the first: one SDK subscription to Torii, both equal to the server", async () => {
    // openDemo's page has a context of its own that cannot open another page: one context here, two pages in it
    // (same origin, so the same IndexedDB, Web Locks and BroadcastChannel).
    const demo = await startDemo({ port: 0 });
    const context = await (await launchBrowser()).newContext({ viewport: { width: 1440, height: 1000 } });
    try {
      await context.addInitScript(VIEW_SCRIPT);
      const first = await context.newPage();
      // The demo shares one sync between its tabs (see PERSIST in examples/demo/src/App.tsx).
      await first.goto(demo.url);
      await waitForView(first, "v.status === 'streaming' && v.oursTiles > 0 && v.oursArmies > 0", 60_000);
      await waitForInSync(first, 30_000, 3);
      await waitForCache(first, "c.role === 'leader' && c.flushes > 0");
      // One page: the SDK's subscription and the naive side's.
      const onePage = demo.fake.stats().subscribers;
      expect(onePage).toBe(SDK_SUBSCRIPTIONS + NAIVE_SUBSCRIPTIONS);

      const second = await context.newPage();
      await second.addInitScript(SAW_CACHE_OFF);
      await second.goto(demo.url);
      await waitForView(second, "v.status === 'streaming' && v.oursTiles > 0 && v.oursArmies > 0", 60_000);
      const follower = await waitForCache(second, "c.role === 'follower'");
      expect(follower.hydrated).toBeGreaterThan(0);
      // Before it learned its role the follower said it was opening the cache, never that the cache was off.
      expect(await second.evaluate("window.__sawCacheOff")).toBe(false);
      await waitForInSync(second, 30_000, 3);
      await waitForInSync(first, 30_000, 3);
      expect((await cacheView(first)).role).toBe("leader");
      // The second page adds only its naive side's subscription: the SDK's sync is the first tab's.
      await vi.waitFor(() => expect(demo.fake.stats().subscribers).toBe(onePage + NAIVE_SUBSCRIPTIONS), { timeout: 10_000, interval: 100 });
      // And it stays so while both pages keep up with the world.
      await waitForInSync(second, 30_000, 3);
      expect(demo.fake.stats().subscribers).toBe(onePage + NAIVE_SUBSCRIPTIONS);
      expect((await cacheView(second)).role).toBe("follower");
      await screenshot(second, "persist-follower");
    } finally {
      await context.close();
      await demo.close();
    }
  });
});

import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright";
import { chromiumLaunchOptions, resolveChromium } from "../../scripts/browser/chromium";
import { buildPersistPage, PERSIST_PAGE } from "../browser/persist-build-page";
import type { PersistBenchPage, PersistBootOptions, PersistEstimate, PersistPageBoot, PersistPageFacts, PersistStoreSize, PersistWindow } from "../browser/persist-protocol";
import { PERSIST_TRACE_BUFFER_KB, startPageTrace, tasksPerWindow, type WindowTasks } from "../browser/persist-trace";
import { serveStatic } from "../browser/static-server";

export interface PersistChromiumOptions {
  readonly entities: number;
  /** The changed fractions of the replay comparison, in the order they are applied. */
  readonly fractions: readonly number[];
}

/** One boot as the driver saw it: the page's figures, and for a traced boot what Chromium's trace says of its windows. */
export interface ChromiumBoot extends PersistPageBoot {
  readonly facts: PersistPageFacts;
  /** Chromium's trace of the page's main thread over each window of the boot (see `PERSIST_WINDOWS`), when traced. */
  readonly trace: Partial<Record<PersistWindow, WindowTasks>> | undefined;
  /** Trace events Chromium recorded for the boot (its buffer bounds them). */
  readonly traceEvents: number | undefined;
}

/** Storage as measured around a boot: the page's `navigator.storage.estimate()` and the IndexedDB files on disk. */
export interface StorageReading {
  readonly estimate: PersistEstimate;
  /** Bytes of every file under the profile's IndexedDB directories. */
  readonly diskBytes: number;
}

export interface PersistChromiumRaw {
  readonly browser: string;
  readonly options: PersistChromiumOptions;
  readonly cold: ChromiumBoot;
  readonly warm: ChromiumBoot;
  /** The cold boot again (an empty cache of its own) with the writer in the page's thread (`persist.worker: false`). */
  readonly pageThread: ChromiumBoot;
  /** The cold boot again with no cache at all, held after `streaming` as long as the cold boot's writes took. */
  readonly control: ChromiumBoot;
  /** The control again, allocating short-lived objects while it holds (`CHURN_BYTES_PER_MS`): what any allocating code pays. */
  readonly allocating: ChromiumBoot;
  readonly storage: { readonly beforeCold: StorageReading; readonly afterCold: StorageReading; readonly afterWarm: StorageReading };
  /** Every record read back after the warm boot. */
  readonly sizes: readonly PersistStoreSize[];
  readonly replays: readonly { readonly fraction: number; readonly incremental: ChromiumBoot; readonly full: ChromiumBoot }[];
  /** The trace buffer of the traced boots, KiB. */
  readonly traceBufferKb: number;
  readonly durationS: number;
}

type Log = (line: string) => void;

/**
 * The allocating control's rate: 40 MB/s, about what the cold boot's writer allocates while it writes (V8's trace of
 * it: some 23 MB between young-generation collections half a second apart).
 */
export const CHURN_BYTES_PER_MS = 40_000;

/** What one page did: its boot, and what was asked besides. */
interface PageBoot {
  readonly boot: ChromiumBoot;
  readonly storageBefore: StorageReading | undefined;
  readonly storageAfter: StorageReading | undefined;
  readonly sizes: PersistStoreSize[] | undefined;
}

/**
 * Boots of a pipeline with `persist` in headless Chromium, on its real IndexedDB: a cold and a warm boot (traced), then
 * per fraction an incremental and a full replay. Each boot is a page of its own (a warm start is a new page load) in
 * one persistent profile, made in a temporary directory and removed afterwards, so IndexedDB is on disk as a
 * browser's is (Playwright's default contexts are incognito, whose IndexedDB lives in memory).
 */
export async function runPersistChromium(options: PersistChromiumOptions, log: Log): Promise<PersistChromiumRaw> {
  const started = performance.now();
  const resolved = await resolveChromium();
  log(`Chromium: ${resolved.version} (${resolved.source}); bundling the page with Vite`);
  const server = await serveStatic(await buildPersistPage());
  const profile = await mkdtemp(path.join(tmpdir(), "tsg-persist-bench-"));
  const launch = await chromiumLaunchOptions();
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, { ...launch, args: [...launch.args, "--js-flags=--expose-gc", "--enable-precise-memory-info"] });
    // Nothing but the bench's own server: any other request is refused before it leaves the browser.
    await context.route("**/*", (route) => (route.request().url().startsWith(server.url) ? route.continue() : route.abort()));
    for (const page of context.pages()) await page.close();
    const ctx = context;
    // A fresh database name per run, in a fresh profile: the cold boot finds nothing.
    const name = `persist-bench-${Date.now()}`;
    const storage = async (page: Page): Promise<StorageReading> => ({
      estimate: await page.evaluate(() => (window.__persistBench as PersistBenchPage).estimate()),
      diskBytes: await indexedDbBytes(profile),
    });

    /**
     * One boot in a page of its own: load, build the rows, boot. On request: trace it, read storage before and after,
     * read every record back after.
     */
    const bootPage = async (boot: PersistBootOptions, fractions: readonly number[], extras: { traced?: boolean; storage?: boolean; readBack?: boolean } = {}): Promise<PageBoot> => {
      const page = await ctx.newPage();
      try {
        await page.goto(`${server.url}${PERSIST_PAGE}`);
        await page.waitForFunction(() => window.__persistBench !== undefined);
        const facts = await page.evaluate((spec) => (window.__persistBench as PersistBenchPage).prepare(spec), { entities: options.entities, fractions });
        const storageBefore = extras.storage === true ? await storage(page) : undefined;
        const stopTrace = extras.traced === true ? await startPageTrace(await ctx.newCDPSession(page)) : undefined;
        const run = await page.evaluate((o) => (window.__persistBench as PersistBenchPage).boot(o), boot);
        const readStarted = performance.now();
        const trace = await stopTrace?.();
        if (trace !== undefined) log(`  trace: ${trace.events} events read back in ${((performance.now() - readStarted) / 1000).toFixed(1)} s${trace.dataLoss ? " (its buffer filled)" : ""}${trace.unreadable > 0 ? `, ${trace.unreadable} unreadable lines skipped` : ""}`);
        const storageAfter = extras.storage === true ? await storage(page) : undefined;
        const sizes = extras.readBack === true ? await page.evaluate((n) => (window.__persistBench as PersistBenchPage).storedSizes(n), boot.name) : undefined;
        const windows = trace === undefined ? undefined : tasksPerWindow(trace, run.marks);
        if (trace !== undefined && windows === undefined) log("  the trace holds no start mark: only the gap probe is reported for this boot");
        return { boot: { ...run, facts, trace: windows, traceEvents: trace?.events }, storageBefore, storageAfter, sizes };
      } finally {
        await page.close();
      }
    };
    const describe = (boot: ChromiumBoot): string =>
      `first content ${boot.firstContentMs.toFixed(0)} ms, streaming ${boot.streamingMs.toFixed(0)} ms, watermark flushed ${boot.flushedMs.toFixed(0)} ms; ` +
      `${boot.entitiesServed} entities in ${boot.pages} requests, hydrated ${boot.cache.entitiesHydrated}, written ${boot.cache.entitiesWritten}` +
      (boot.trace?.whole === undefined ? "" : `; longest task ${boot.trace.whole.longestMs.toFixed(1)} ms (writes ${boot.trace.writes?.longestMs.toFixed(1)} ms)`);

    log(`cold boot in Chromium (${options.entities} entities, empty cache) …`);
    const cold = await bootPage({ name, sql: false }, [], { traced: true, storage: true });
    log(`  ${describe(cold.boot)}`);
    log(`cold boot, the writer in the page's thread (persist.worker: false) …`);
    const pageThread = await bootPage({ name: `${name}-page-thread`, sql: false, worker: false }, [], { traced: true });
    log(`  ${describe(pageThread.boot)}`);
    const holdMs = Math.max(0, cold.boot.flushedMs - cold.boot.streamingMs);
    log(`control: the cold boot without a cache, held ${holdMs.toFixed(0)} ms after streaming …`);
    const control = await bootPage({ name: `${name}-control`, sql: false, control: { holdMs } }, [], { traced: true });
    log(`  ${describe(control.boot)}`);
    log(`allocating control: the same, allocating ${(CHURN_BYTES_PER_MS / 1000).toFixed(0)} MB/s of short-lived objects while held …`);
    const allocating = await bootPage({ name: `${name}-allocating`, sql: false, control: { holdMs, allocateBytesPerMs: CHURN_BYTES_PER_MS } }, [], { traced: true });
    log(`  ${describe(allocating.boot)}`);
    log("warm boot in Chromium (same cache, full replay) …");
    const warm = await bootPage({ name, sql: false }, [], { traced: true, storage: true, readBack: true });
    log(`  ${describe(warm.boot)}`);
    const replays: PersistChromiumRaw["replays"][number][] = [];
    for (const [i, fraction] of options.fractions.entries()) {
      const applied = options.fractions.slice(0, i + 1);
      log(`${(fraction * 100).toFixed(0)} % changed: incremental boot in Chromium …`);
      const { boot: incremental } = await bootPage({ name, sql: true }, applied);
      log(`  ${describe(incremental)}`);
      log("  full boot …");
      const { boot: full } = await bootPage({ name, sql: false }, applied);
      log(`  ${describe(full)}`);
      replays.push({ fraction, incremental, full });
    }
    const [beforeCold, afterCold, afterWarm] = [cold.storageBefore, cold.storageAfter, warm.storageAfter];
    if (beforeCold === undefined || afterCold === undefined || afterWarm === undefined) throw new Error("storage was not read around the boots");
    return {
      browser: `${resolved.version} (${resolved.source})`,
      options,
      cold: cold.boot,
      pageThread: pageThread.boot,
      warm: warm.boot,
      control: control.boot,
      allocating: allocating.boot,
      storage: { beforeCold, afterCold, afterWarm },
      sizes: warm.sizes ?? [],
      replays,
      traceBufferKb: PERSIST_TRACE_BUFFER_KB,
      durationS: (performance.now() - started) / 1000,
    };
  } finally {
    await context?.close();
    await server.close();
    await rm(profile, { recursive: true, force: true });
  }
}

/** Bytes of every file under a directory named `IndexedDB` (or below one) in the profile. */
async function indexedDbBytes(dir: string, inside = false): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await indexedDbBytes(full, inside || entry.name === "IndexedDB");
    else if (inside && entry.isFile()) total += (await stat(full)).size;
  }
  return total;
}

// The persistence bench page: boots of a pipeline with `persist` over Chromium's own IndexedDB, run by the web build of
// the SDK (bundled by Vite for production, like a game's bundle). Driven by scenarios/persist-chromium.ts through
// `window.__persistBench`, one page per boot (a warm start is a new page load).
import { createWorld } from "@dojoengine/recs";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/index";
import { waitUntil } from "../measure/wait";
import { changed, changeSteps, PersistBenchClient, PERSIST_TORII_URL, WireRows } from "../scenarios/persist-client";
import type { RawToriiEntity } from "../workload/entities";
import { BENCH_MODELS, defineBenchComponents } from "../workload/models";
import { createSnapshotWorkload } from "../workload/snapshot";
import { PERSIST_MARKS, PERSIST_WINDOWS, type PersistBenchPage, type PersistGaps, type PersistMark, type PersistPageBoot, type PersistStoreSize, type PersistTransactions, type PersistWindow } from "./persist-protocol";
import { startChurn, type ChurnFigures } from "./churn";
import { afterOneMs } from "./tasks";

/** A boot or a flush that has not finished by then is broken, not slow (a cold flush of 100,000 entities takes minutes). */
const TIMEOUT_MS = 1_200_000;

/**
 * The burst page's 1 ms gap probe, keeping each gap with the time it ended, so that one boot's probe can be read over
 * several windows afterwards.
 */
function startGapProbe(): { stop(): void; over(from: number, to: number): Omit<PersistGaps, "longTasks" | "longestLongTaskMs"> } {
  const ends: number[] = [];
  const gaps: number[] = [];
  let last = performance.now();
  let running = true;
  const tick = (): void => {
    if (!running) return;
    const now = performance.now();
    ends.push(now);
    gaps.push(now - last);
    last = now;
    afterOneMs(tick);
  };
  afterOneMs(tick);
  return {
    stop() {
      running = false;
    },
    over(from, to) {
      // A gap belongs to the window it overlaps: it ended after the window began and began before it ended.
      const inside = gaps.filter((gap, i) => (ends[i] as number) > from && (ends[i] as number) - gap < to).sort((a, b) => a - b);
      const at = (p: number): number => inside[Math.min(inside.length - 1, Math.floor(p * inside.length))] ?? 0;
      return { maxMs: inside[inside.length - 1] ?? 0, p99Ms: at(0.99), samples: inside.length };
    },
  };
}

const longTasks: PerformanceEntry[] = [];
new PerformanceObserver((list) => longTasks.push(...list.getEntries())).observe({ type: "longtask", buffered: true });

/**
 * Every transaction the page opens, with its wall time from creation to `complete` or `abort` and the requests made in
 * it: how the cache's reads and writes meet Chromium's IndexedDB (a round trip to the browser process each).
 */
const transactions: { mode: IDBTransactionMode; started: number; ms: number | undefined; requests: number }[] = [];
const opened = new WeakMap<IDBTransaction, (typeof transactions)[number]>();
const openTransaction = IDBDatabase.prototype.transaction;
IDBDatabase.prototype.transaction = function transaction(this: IDBDatabase, ...args: Parameters<IDBDatabase["transaction"]>): IDBTransaction {
  const tx = openTransaction.apply(this, args);
  const entry = { mode: tx.mode, started: performance.now(), ms: undefined as number | undefined, requests: 0 };
  transactions.push(entry);
  opened.set(tx, entry);
  const done = (): void => {
    entry.ms = performance.now() - entry.started;
  };
  tx.addEventListener("complete", done);
  tx.addEventListener("abort", done);
  return tx;
};
for (const method of ["get", "getAll", "getAllKeys", "put", "add", "delete", "count", "openCursor"] as const) {
  const original = IDBObjectStore.prototype[method] as (...args: unknown[]) => IDBRequest;
  (IDBObjectStore.prototype as unknown as Record<string, unknown>)[method] = function request(this: IDBObjectStore, ...args: unknown[]): IDBRequest {
    const entry = opened.get(this.transaction);
    if (entry !== undefined) entry.requests += 1;
    return original.apply(this, args);
  };
}

function transactionsOf(mode: IDBTransactionMode): PersistTransactions {
  const of = transactions.filter((entry) => entry.mode === mode);
  const walls = of.map((entry) => entry.ms ?? performance.now() - entry.started).sort((a, b) => a - b);
  return {
    count: of.length,
    medianMs: walls[Math.floor(walls.length / 2)] ?? 0,
    maxMs: walls[walls.length - 1] ?? 0,
    totalMs: walls.reduce((sum, ms) => sum + ms, 0),
    requests: of.reduce((sum, entry) => sum + entry.requests, 0),
  };
}

/** The control boot has no cache: its cache figures are zeros. */
const NO_CACHE = {
  hits: 0,
  misses: 0,
  entitiesHydrated: 0,
  hydrateMs: undefined,
  flushes: 0,
  entitiesWritten: 0,
  bytesWritten: 0,
  writeSlices: 0,
  longestWriteSliceMs: 0,
  hydrateSlices: 0,
  longestHydrateSliceMs: 0,
  incrementalReplays: 0,
  incrementalEntities: 0,
  incrementalFallbacks: 0,
  errors: 0,
  errorsByCode: {},
} as const;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const gc = (globalThis as { gc?: () => void }).gc;

let rows: WireRows | undefined;

const prepare: PersistBenchPage["prepare"] = (spec) => {
  const t0 = performance.now();
  let current: readonly RawToriiEntity[] = createSnapshotWorkload(spec.entities).items;
  let changedEntities = 0;
  for (const step of changeSteps(current, spec.fractions)) {
    const next = changed(current, step);
    current = next.rows;
    changedEntities = next.count;
  }
  // Only the rows' text stays: the objects built here are garbage before the boot (see WireRows).
  rows = new WireRows(current);
  const workloadMs = performance.now() - t0;
  gc?.();
  return { entities: spec.entities, models: BENCH_MODELS.length, changedEntities, workloadMs, gc: gc !== undefined, userAgent: navigator.userAgent };
};

/** Resolve once `condition` holds: on every store notification, and about every millisecond in case one is skipped. */
function until(pipeline: SyncPipeline, condition: () => boolean, what: string): Promise<void> {
  return waitUntil(condition, what, (listener) => pipeline.store.subscribe(listener), {
    timeoutMs: TIMEOUT_MS,
    schedule: (read) => {
      let live = true;
      afterOneMs(() => {
        if (live) read();
      });
      return () => {
        live = false;
      };
    },
  });
}

const boot: PersistBenchPage["boot"] = async (options) => {
  if (rows === undefined) throw new Error("prepare() first");
  const world = createWorld();
  const components = defineBenchComponents(world, BENCH_MODELS);
  const client = new PersistBenchClient(rows);
  const pipeline = createSyncPipeline({
    client,
    world,
    components,
    worldAddresses: ["0x1"],
    ...(options.sql ? { toriiUrl: PERSIST_TORII_URL, fetch: client.sql } : {}),
    ...(options.control === undefined ? { persist: { name: options.name, tabs: false, ...(options.worker === undefined ? {} : { worker: options.worker }) } } : {}),
    logging: false,
    inspector: false,
  });
  const first = components[0];
  if (first === undefined) throw new Error("no bench component");
  const probe = startGapProbe();
  await sleep(5);
  const marks = new Map<PersistMark, number>();
  const mark = (name: PersistMark): number => {
    performance.mark(PERSIST_MARKS[name]);
    const at = performance.now();
    marks.set(name, at);
    return at;
  };
  transactions.length = 0;
  const t0 = mark("start");
  let firstContentMs: number | undefined;
  const subscription = first.update$.subscribe(() => {
    firstContentMs ??= performance.now() - t0;
    subscription.unsubscribe();
  });
  let hydratedMs: number | undefined;
  const stopWatching = pipeline.store.subscribe(() => {
    if (hydratedMs === undefined && pipeline.getState().fromCache) hydratedMs = mark("hydrated") - t0;
  });
  void pipeline.start();
  await until(pipeline, () => pipeline.getState().status === "streaming", "streaming");
  const streamingMs = mark("streaming") - t0;
  stopWatching();
  let churn: ChurnFigures | undefined;
  if (options.control !== undefined) {
    const garbage = options.control.allocateBytesPerMs === undefined ? undefined : startChurn(options.control.allocateBytesPerMs);
    await sleep(options.control.holdMs);
    churn = garbage?.stop();
  }
  else
    await until(
      pipeline,
      () => {
        const seen = pipeline.metrics().lastExecutedAt;
        return seen > 0 && pipeline.metrics().cache?.watermark === seen;
      },
      "cache watermark",
    );
  const flushedMs = mark("flushed") - t0;
  const heapBytes = (performance as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize;
  await sleep(5);
  // Counted in a task after the windows end (a walk of every entity: 16-19 ms at 100,000, which the task that makes a
  // mark would carry into the window): the bench's client sends no updates, so RECS holds what it held at `streaming`.
  const entitiesInRecs = [...first.entities()].length;
  probe.stop();
  // Long-task entries are delivered after their task: give the observer a turn.
  await sleep(50);
  const cache = pipeline.metrics().cache ?? (options.control === undefined ? undefined : NO_CACHE);
  if (cache === undefined) throw new Error("metrics().cache is undefined: persist is off?");
  subscription.unsubscribe();
  pipeline.cancel();
  world.dispose();
  const over = (from: number, to: number): PersistGaps => {
    const during = longTasks.filter((entry) => entry.startTime + entry.duration > from && entry.startTime < to);
    return { ...probe.over(from, to), longTasks: during.length, longestLongTaskMs: Math.max(0, ...during.map((entry) => entry.duration)) };
  };
  const gaps: Partial<Record<PersistWindow, PersistGaps>> = {};
  for (const [window, [from, to]] of Object.entries(PERSIST_WINDOWS) as [PersistWindow, readonly [PersistMark, PersistMark]][]) {
    const [begin, end] = [marks.get(from), marks.get(to)];
    if (begin !== undefined && end !== undefined) gaps[window] = over(begin, end);
  }
  const result: PersistPageBoot = {
    firstContentMs: firstContentMs ?? Number.NaN,
    hydratedMs,
    streamingMs,
    flushedMs,
    entitiesInRecs,
    pages: client.pagesServed,
    entitiesServed: client.entitiesServed,
    sqlQueries: client.sqlQueries,
    cache: {
      hits: cache.hits,
      misses: cache.misses,
      entitiesHydrated: cache.entitiesHydrated,
      hydrateMs: cache.hydrateMs,
      flushes: cache.flushes,
      entitiesWritten: cache.entitiesWritten,
      bytesWritten: cache.bytesWritten,
      writeSlices: cache.writeSlices,
      longestWriteSliceMs: cache.longestWriteSliceMs,
      hydrateSlices: cache.hydrateSlices,
      longestHydrateSliceMs: cache.longestHydrateSliceMs,
      incrementalReplays: cache.incrementalReplays,
      incrementalEntities: cache.incrementalEntities,
      incrementalFallbacks: cache.incrementalFallbacks,
      errors: cache.errors,
      errorsByCode: { ...cache.errorsByCode },
    },
    marks: Object.fromEntries(marks),
    gaps,
    heapBytes,
    churn,
    transactions: { readonly: transactionsOf("readonly"), readwrite: transactionsOf("readwrite") },
  };
  return result;
};

const estimate: PersistBenchPage["estimate"] = async () => {
  const found = (await navigator.storage.estimate()) as StorageEstimate & { usageDetails?: { indexedDB?: number } };
  return { usage: found.usage ?? 0, quota: found.quota ?? 0, indexedDB: found.usageDetails?.indexedDB };
};

/** Every record of every store, read back through IndexedDB (`getAll`, in batches) and sized as JSON. */
const storedSizes: PersistBenchPage["storedSizes"] = async (name) => {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("open failed"));
  });
  const encoder = new TextEncoder();
  const sizes: PersistStoreSize[] = [];
  for (const store of [...db.objectStoreNames]) {
    let records = 0;
    let jsonBytes = 0;
    let after: IDBValidKey | undefined;
    for (;;) {
      const range = after === undefined ? null : IDBKeyRange.lowerBound(after, true);
      const [values, keys] = await new Promise<[unknown[], IDBValidKey[]]>((resolve, reject) => {
        const objects = db.transaction(store, "readonly").objectStore(store);
        const valuesRequest = objects.getAll(range, 10_000);
        const keysRequest = objects.getAllKeys(range, 10_000);
        keysRequest.onsuccess = () => resolve([valuesRequest.result as unknown[], keysRequest.result]);
        keysRequest.onerror = () => reject(keysRequest.error ?? new Error("getAllKeys failed"));
        valuesRequest.onerror = () => reject(valuesRequest.error ?? new Error("getAll failed"));
      });
      for (const value of values) jsonBytes += encoder.encode(JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).byteLength;
      records += values.length;
      if (keys.length < 10_000) break;
      after = keys[keys.length - 1];
    }
    sizes.push({ store, records, jsonBytes });
  }
  db.close();
  return sizes;
};

window.__persistBench = { prepare, boot, estimate, storedSizes };
const status = document.getElementById("status");
if (status !== null) status.textContent = "ready";

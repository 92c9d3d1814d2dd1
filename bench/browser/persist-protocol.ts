/** What the persistence bench page exposes on `window.__persistBench`, and what it answers: shared by the page and the Node driver. */
import type { ChurnFigures } from "./churn";

/** `performance.mark` names the page makes during a boot: they bound its windows in a Chromium trace. */
export const PERSIST_MARKS = {
  start: "persist-bench:start",
  hydrated: "persist-bench:hydrated",
  streaming: "persist-bench:streaming",
  flushed: "persist-bench:flushed",
} as const;

export type PersistMark = keyof typeof PERSIST_MARKS;

/**
 * The windows of a boot the main thread is read over, between two marks: the whole boot; the boot up to `streaming`;
 * the cache writes left after it (the "writing the cache" window); and on a warm start the hydration (until the cached
 * world is in RECS) and the replay after it. A window whose marks a boot did not make (no hydration on a miss) is left out.
 */
export const PERSIST_WINDOWS = {
  whole: ["start", "flushed"],
  boot: ["start", "streaming"],
  writes: ["streaming", "flushed"],
  hydrate: ["start", "hydrated"],
  replay: ["hydrated", "streaming"],
} as const satisfies Record<string, readonly [PersistMark, PersistMark]>;

export type PersistWindow = keyof typeof PERSIST_WINDOWS;

/**
 * The rows the page's client serves: the snapshot of `entities` entities, then the changes of each fraction in order
 * (`changeSteps`: the same steps, values and block times in every page given the same list).
 */
export interface PersistWorkloadSpec {
  readonly entities: number;
  readonly fractions: readonly number[];
}

export interface PersistPageFacts {
  readonly entities: number;
  readonly models: number;
  /** Entities changed by the last fraction (0 without one). */
  readonly changedEntities: number;
  readonly workloadMs: number;
  /** Whether `gc()` was there (Chromium launched with --js-flags=--expose-gc): collected after the workload was built. */
  readonly gc: boolean;
  readonly userAgent: string;
}

export interface PersistBootOptions {
  /** The IndexedDB database's name (`persist.name`). */
  readonly name: string;
  /** With `toriiUrl` and the fake `/sql`: an incremental replay when the cache allows. */
  readonly sql: boolean;
  /**
   * The control: no `persist` at all; once `streaming`, the page waits `holdMs` (the cold boot's writing window) and
   * marks `flushed` then, so its "writing the cache" window is the same span of the same boot with nothing written.
   */
  /** `persist.worker`: false writes the cache from the page's thread. @default the SDK's default (a worker) */
  readonly worker?: boolean;
  readonly control?: {
    readonly holdMs: number;
    /**
     * Allocate short-lived objects at this rate (bytes per ms) while holding, as a page that renders does: the
     * collections the heap costs any code that allocates. @default nothing allocated
     */
    readonly allocateBytesPerMs?: number;
  };
}

/** A window's gaps of the page's 1 ms probe (a task of B ms shows as a gap of about B, up to a period more). */
export interface PersistGaps {
  readonly maxMs: number;
  readonly p99Ms: number;
  readonly samples: number;
  /** PerformanceObserver 'longtask' entries (tasks of 50 ms or more) that began in the window, and the longest. */
  readonly longTasks: number;
  readonly longestLongTaskMs: number;
}

/** The page's IndexedDB transactions of one mode during a boot: creation to `complete` (or `abort`), wall time. */
export interface PersistTransactions {
  readonly count: number;
  readonly medianMs: number;
  readonly maxMs: number;
  /** Their wall times added up (they may overlap). */
  readonly totalMs: number;
  /** Requests made in them (`get`, `getAll`, `put`, `delete`, …). */
  readonly requests: number;
}

export interface PersistPageBoot {
  readonly firstContentMs: number;
  /** `getState().fromCache` first true: the cached world is in RECS (undefined on a miss). */
  readonly hydratedMs: number | undefined;
  readonly streamingMs: number;
  /** The cache's watermark equals the newest block time seen: every write committed. */
  readonly flushedMs: number;
  readonly entitiesInRecs: number;
  readonly pages: number;
  readonly entitiesServed: number;
  readonly sqlQueries: number;
  /** `metrics().cache` at the flushed watermark (a plain copy). */
  readonly cache: {
    readonly hits: number;
    readonly misses: number;
    readonly entitiesHydrated: number;
    readonly hydrateMs: number | undefined;
    readonly flushes: number;
    readonly entitiesWritten: number;
    readonly bytesWritten: number;
    readonly writeSlices: number;
    readonly longestWriteSliceMs: number;
    readonly hydrateSlices: number;
    readonly longestHydrateSliceMs: number;
    readonly incrementalReplays: number;
    readonly incrementalEntities: number;
    readonly incrementalFallbacks: number;
    readonly errors: number;
    readonly errorsByCode: Readonly<Record<string, number>>;
  };
  /** When the page made each mark (`performance.now()`, ms): the windows' bounds, placed on a trace's clock by the start mark. */
  readonly marks: Partial<Record<PersistMark, number>>;
  /** The gap probe over each window of the boot (see `PERSIST_WINDOWS`). */
  readonly gaps: Partial<Record<PersistWindow, PersistGaps>>;
  /** `performance.memory.usedJSHeapSize` at the flushed watermark (Chromium only): the heap V8 collects, the client's rows (as text) included. */
  readonly heapBytes: number | undefined;
  /** What an allocating control allocated while it held (undefined for any other boot). */
  readonly churn: ChurnFigures | undefined;
  /** Every IndexedDB transaction the page made during the boot, per mode (counted by wrapping `IDBDatabase.transaction`). */
  readonly transactions: { readonly readonly: PersistTransactions; readonly readwrite: PersistTransactions };
}

/** `navigator.storage.estimate()`, as the page read it. */
export interface PersistEstimate {
  readonly usage: number;
  readonly quota: number;
  readonly indexedDB: number | undefined;
}

export interface PersistStoreSize {
  readonly store: string;
  readonly records: number;
  /** `JSON.stringify` of every record (bigints as decimal strings), UTF-8 bytes. */
  readonly jsonBytes: number;
}

export interface PersistBenchPage {
  prepare(spec: PersistWorkloadSpec): PersistPageFacts;
  boot(options: PersistBootOptions): Promise<PersistPageBoot>;
  estimate(): Promise<PersistEstimate>;
  storedSizes(name: string): Promise<PersistStoreSize[]>;
}

declare global {
  interface Window {
    __persistBench?: PersistBenchPage;
  }
}

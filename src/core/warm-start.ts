import type { SyncError } from "./errors";
import type { CacheSyncEvent } from "./events";
import type { GuardEvent } from "./guard/reducer";
import type { CacheMetrics, PipelineCounters } from "./metrics";
import type { AdmittedChange, CoreLogger, IntakeSink, ReadPacing } from "./ports";

/** What a hydration found: a hit hands over a cached world, a miss nothing (no cache yet, another schema, bad storage). */
export interface CacheHydration {
  readonly hit: boolean;
  /** Entities handed to the sink. */
  readonly entities: number;
  /** Torii entity messages handed to the sink. */
  readonly messages: number;
  /** From the first read to the last message handed over (ms). */
  readonly durationMs: number;
  /** How old the cached world is: now minus when its watermark was written (ms); undefined without one. */
  readonly ageMs: number | undefined;
  /** The block time (seconds) the cache held everything up to; undefined without a watermark. */
  readonly watermark?: number | undefined;
  /** Slices the reading took, and the longest of them (main-thread ms, by the SDK's clock). */
  readonly slices?: number;
  readonly longestSliceMs?: number;
}

/** What the cache's writer has done so far, as `CacheHooks.flushed` reports it. */
export interface CacheWriteTotals {
  readonly flushes: number;
  readonly entitiesWritten: number;
  readonly bytesWritten: number;
  readonly watermark: number | undefined;
  readonly writeSlices: number;
  readonly longestWriteSliceMs: number;
}

/** What the engine tells a persisted cache. */
export interface CacheHooks {
  /** Storage failed (a SyncError with a SYNC_CACHE_* code), once per cache: the cache is dropped, the sync goes on. */
  failed(error: SyncError): void;
  /** Tabs share the sync: this tab's part now, and how often the leader changed. */
  tab?(role: "leader" | "follower" | "alone", leaderChanges: number): void;
  /** A write to storage committed; the totals so far. */
  flushed(totals: CacheWriteTotals): void;
}

/**
 * A persisted cache as the engine sees it: a port (src/persist implements it, src/sync wires it). It never throws at
 * the engine and never makes it wait for storage, except for the one hydration at boot.
 */
export interface PersistedCache {
  /**
   * Hand what the cache holds to `sink`, as Torii entity messages would arrive (decoded by the adapter's decoder), so it
   * goes through the same intake and admission as a page. Never rejects: storage trouble is reported through
   * `CacheHooks.failed` and the hydration ends with what was handed over (still valid state).
   */
  hydrate(sink: IntakeSink, pacing?: ReadPacing): Promise<CacheHydration>;
  /** The changes one drain let through: written behind the engine's back. Synchronous, never throws. */
  record(changes: readonly AdmittedChange[]): void;
  /** Everything up to block time `executedAt` (seconds) has been recorded: the watermark a later start can trust. */
  markComplete(executedAt: number): void;
  /** Stop writing and close the storage; idempotent. Nothing is left behind (timer, connection, listener). */
  close(): void;
}

/** Makes the cache of one pipeline, given the engine's hooks (`PipelineOptions.persist`). */
export type PersistedCacheFactory = (hooks: CacheHooks) => PersistedCache;

export interface CacheLinkDeps {
  /** The sink hydration writes into: the intake of the main store (never the replay's stream buffer). */
  readonly sink: IntakeSink;
  /** The pipeline's admitted changes (`subscribeAdmitted`). */
  subscribeAdmitted(listener: (change: AdmittedChange) => void): () => void;
  /** Whether rows a replay finds unchanged are told to `subscribeAdmitted` too (see AdmittedHook.recordUnchanged). */
  recordUnchanged?(on: boolean): void;
  /** Drain the main store into RECS. */
  flush(): Promise<void>;
  /** How hydration keeps the main store under its high-water mark: a cache can hold more entities than it. */
  readonly pacing?: ReadPacing;
  dispatch(event: GuardEvent): unknown;
  /** Where the cache's events go (hit, miss, failure). @default nowhere */
  emit?(event: CacheSyncEvent): void;
  now(): number;
  /** The cache's figures changed outside a drain or transition: publish the metrics. */
  publish(): void;
  readonly log: CoreLogger;
  isCancelled(): boolean;
}

/** The pipeline's side of its cache: the boot's warm start, the admitted changes batched per drain, teardown. */
export interface CacheLink {
  /** The warm start (the first call only; later calls `undefined`): hydrate, drain into RECS, then record what lands. */
  warmStart(): Promise<void> | undefined;
  /** The hydrated cache's watermark, once (an incremental boot replay starts from it); then `undefined`. */
  takeWatermark(): number | undefined;
  /**
   * A replay completed: everything up to block time `executedAt` is in (and soon in the cache); `undefined` when the
   * server's watermark could not be read (nothing is marked). `attemptStartedAt` (`now()` when its last attempt began)
   * tells a replay that began before this tab took the lead.
   */
  replayCompleted(executedAt: number | undefined, attemptStartedAt?: number): void;
  close(): void;
}

export function createCacheMetrics(): CacheMetrics {
  return { hits: 0, misses: 0, entitiesHydrated: 0, messagesHydrated: 0, hydrateMs: undefined, ageMs: undefined, changesRecorded: 0, incrementalReplays: 0, incrementalEntities: 0, incrementalFallbacks: 0, flushes: 0, entitiesWritten: 0, bytesWritten: 0, writeSlices: 0, longestWriteSliceMs: 0, hydrateSlices: 0, longestHydrateSliceMs: 0, watermark: undefined, tabRole: "alone", leaderChanges: 0, errors: 0, errorsByCode: {} };
}

/**
 * Link a pipeline to its persisted cache (none without a factory). Changes are collected as they land and handed over
 * once per drain (a microtask after the drain slice), never while the cache's own world is being hydrated (it would
 * only be written back). Counts go to `pipelineCounters.cache`.
 */
export function linkCache(factory: PersistedCacheFactory | undefined, pipelineCounters: PipelineCounters, deps: CacheLinkDeps): CacheLink | undefined {
  if (factory === undefined) return undefined;
  const counters = (pipelineCounters.cache = createCacheMetrics());
  const { log } = deps;
  let closed = false;
  let failed = false;
  let started = false;
  let unsubscribe: (() => void) | undefined;
  let batch: AdmittedChange[] = [];
  let pendingMark: number | undefined;
  let hydratedWatermark: number | undefined;
  let [follower, warmed] = [false, false];
  /** When this tab last took the lead over from another (`now()`): a replay that began before it was a follower's. */
  let promotedAt = -Infinity;
  const cache = factory({
    failed(error) {
      // A failure that comes after the pipeline was cancelled (an open that timed out) is no one's to hear.
      if (closed || deps.isCancelled()) return;
      failed = true;
      counters.errors += 1;
      counters.errorsByCode[error.code] = (counters.errorsByCode[error.code] ?? 0) + 1;
      log.once("warn", `cache:${error.code}`, `${error.code}: ${error.message}`, { code: error.code });
      deps.emit?.({ type: "cache_failed", at: deps.now(), code: error.code, message: error.message });
      stopRecording();
      deps.publish();
    },
    tab(role, leaderChanges) {
      counters.tabRole = role;
      counters.leaderChanges = leaderChanges;
      // A follower writes no cache and relays nothing: it records no change (the admission then builds none for it).
      // A follower that takes the lead holds what the old leader relayed, maybe not yet in the cache when it closed: the
      // replay that follows records every row it admits, unchanged ones too, before the watermark claims them.
      // Nor may a watermark it took as a follower (what it heard, not what the cache holds) be written on taking over.
      // And its takeover replay pages the whole scope: the old leader's relayed deletes may be missing from the cache,
      // and only a full replay's reconciliation tells the cache of them (an incremental one reads what changed, and a
      // deleted row is not among it): one kept a deleted entity in the cache under a newer watermark.
      if (follower && role === "leader") {
        deps.recordUnchanged?.(true);
        pendingMark = undefined;
        hydratedWatermark = undefined;
        promotedAt = deps.now();
      }
      follower = role === "follower";
      if (follower) stopRecording();
      else if (warmed) startRecording();
      if (!closed) deps.publish();
    },
    flushed(totals) {
      counters.flushes = totals.flushes;
      counters.entitiesWritten = totals.entitiesWritten;
      counters.bytesWritten = totals.bytesWritten;
      counters.writeSlices = totals.writeSlices;
      counters.longestWriteSliceMs = totals.longestWriteSliceMs;
      if (totals.watermark !== undefined) counters.watermark = totals.watermark;
      if (!closed) deps.publish();
    },
  });
  const live = (): boolean => !closed && !failed && !deps.isCancelled();
  const stopRecording = (): void => {
    unsubscribe?.();
    unsubscribe = undefined;
    batch = [];
  };
  const handOver = (): void => {
    const changes = batch;
    batch = [];
    if (!live() || changes.length === 0) return;
    counters.changesRecorded += changes.length;
    cache.record(changes);
  };
  const startRecording = (): void => {
    if (!live() || unsubscribe !== undefined) return;
    unsubscribe = deps.subscribeAdmitted((change) => {
      // A drain slice is synchronous: every change of one slice is handed over together, right after it.
      if (batch.length === 0) queueMicrotask(handOver);
      batch.push(change);
    });
    if (pendingMark !== undefined) cache.markComplete(pendingMark);
    pendingMark = undefined;
  };

  const run = async (): Promise<void> => {
    let hydration: CacheHydration;
    try {
      hydration = await cache.hydrate(deps.sink, deps.pacing);
    } catch {
      // The port promises never to reject; a broken one still must not stop the sync.
      hydration = { hit: false, entities: 0, messages: 0, durationMs: 0, ageMs: undefined };
    }
    if (closed || deps.isCancelled()) return;
    // The cached world reaches RECS before the first page: pages then land against its versions.
    await deps.flush();
    if (closed || deps.isCancelled()) return;
    if (hydration.hit) {
      counters.hits += 1;
      counters.entitiesHydrated += hydration.entities;
      counters.messagesHydrated += hydration.messages;
      counters.hydrateMs = hydration.durationMs;
      counters.hydrateSlices += hydration.slices ?? 0;
      counters.longestHydrateSliceMs = Math.max(counters.longestHydrateSliceMs, hydration.longestSliceMs ?? 0);
      counters.ageMs = hydration.ageMs;
      hydratedWatermark = hydration.watermark;
      deps.dispatch({ type: "hydrated", ageMs: hydration.ageMs });
      deps.emit?.({ type: "cache_hit", at: deps.now(), entities: hydration.entities, durationMs: hydration.durationMs, ageMs: hydration.ageMs });
      log.log("info", `warm start: ${hydration.entities} entities from the cache in ${Math.round(hydration.durationMs)} ms${hydration.ageMs === undefined ? "" : `, ${Math.round(hydration.ageMs / 1000)} s old`}`);
    } else {
      counters.misses += 1;
      deps.emit?.({ type: "cache_miss", at: deps.now() });
    }
    warmed = true;
    if (!follower) startRecording();
  };

  return {
    warmStart() {
      if (started || closed) return undefined;
      started = true;
      return run();
    },
    takeWatermark() {
      const watermark = hydratedWatermark;
      hydratedWatermark = undefined;
      return live() ? watermark : undefined;
    },
    replayCompleted(executedAt, attemptStartedAt = Infinity) {
      // A replay that began as a follower (it read the leader's cache and relay) and ended after this tab took over says
      // nothing of what the cache holds: the leader's own replay, requested at the takeover, comes after it.
      if (attemptStartedAt < promotedAt) return;
      deps.recordUnchanged?.(false);
      // No server watermark could be read (the source has one, the read failed): nothing to mark this time.
      if (executedAt === undefined || !live()) return;
      // Recorded changes are handed over in a microtask: the mark goes after them.
      if (unsubscribe === undefined) pendingMark = executedAt;
      else queueMicrotask(() => live() && cache.markComplete(executedAt));
    },
    close() {
      if (closed) return;
      closed = true;
      stopRecording();
      cache.close();
    },
  };
}

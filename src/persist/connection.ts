import type { Timers } from "../core/clock";
import type { CacheIdentity } from "./layout";
import type { CacheDatabase } from "./open";
import type { CacheFailure } from "./storage-errors";

/** What the cache did, in plain units: ready for the pipeline's metrics. */
export interface CacheCounters {
  /** Entities handed to the engine by hydration: the cache hits of a warm start. */
  entitiesHydrated: number;
  /** Torii entity messages handed over by hydration. */
  messagesHydrated: number;
  /** Wall time of the last hydration, from its first read to its last slice (ms). */
  hydrateMs: number;
  hydrateSlices: number;
  /** The longest main-thread block of a hydration slice (ms, by the injected clock). */
  longestHydrateSliceMs: number;
  /** Flushes completed (each ends with the watermark). */
  flushes: number;
  /** Write transactions (one per slice) committed. */
  writeSlices: number;
  /** The longest main-thread block of a write slice (ms, by the injected clock). */
  longestWriteSliceMs: number;
  /** Entities written (each whole, in one transaction). */
  entitiesWritten: number;
  /** Entity rows put or deleted (one per entity that changed on disk). */
  recordsWritten: number;
  /** Characters of the records put (their JSON bodies; keys not counted): the browser's own encoding and compression differ. */
  bytesWritten: number;
  /** The block time (seconds) of the newest watermark this connection committed; undefined before one. */
  watermarkWritten: number | undefined;
}

export function createCacheCounters(): CacheCounters {
  return {
    entitiesHydrated: 0,
    messagesHydrated: 0,
    hydrateMs: 0,
    hydrateSlices: 0,
    longestHydrateSliceMs: 0,
    flushes: 0,
    writeSlices: 0,
    longestWriteSliceMs: 0,
    entitiesWritten: 0,
    recordsWritten: 0,
    bytesWritten: 0,
    watermarkWritten: undefined,
  };
}

/** An open cache as its reader and writer see it. */
export interface CacheConnection {
  readonly name: string;
  readonly db: CacheDatabase;
  readonly identity: CacheIdentity;
  readonly timers: Timers;
  readonly counters: CacheCounters;
  readonly failure: CacheFailure;
  /** False once the cache failed or was closed (here or by another tab deleting it): reads and writes stop. */
  usable(): boolean;
}

/** The clock slices are measured by: sub-millisecond when the timers have one. */
export function sliceClock(timers: Timers): () => number {
  const monotonic = timers.monotonic;
  return monotonic === undefined ? () => timers.now() : () => monotonic.call(timers);
}

/** Give the event loop a turn between slices, so input and rendering run. */
export function yieldTurn(timers: Timers): Promise<void> {
  return new Promise((resolve) => {
    if (timers.defer !== undefined) timers.defer(resolve);
    else timers.setTimeout(resolve, 0);
  });
}

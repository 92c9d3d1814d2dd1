import type { AdmittedChange } from "../../core/ports";
import type { CacheCounters } from "../connection";
import type { CacheIdentity } from "../layout";
import type { CacheWriterOptions } from "../writer";

/** The writer's settings that cross to the worker (its callback stays in the page). */
export type WorkerWriterOptions = Omit<CacheWriterOptions, "onFlushed">;

/** The writer's own counters, as the worker reports them after each flush. */
export type WriterCounters = Pick<CacheCounters, "flushes" | "writeSlices" | "longestWriteSliceMs" | "entitiesWritten" | "recordsWritten" | "bytesWritten" | "watermarkWritten">;

/** The page to the cache worker, in order: `open` first, then the writer's calls as the page made them. */
export type ToCacheWorker =
  | { readonly type: "open"; readonly name: string; readonly identity: CacheIdentity; readonly writer: WorkerWriterOptions }
  /**
   * Admitted changes, structured-cloned: the clone is made outside V8's heap, so it leaves the page no garbage to
   * collect (JSON text would: as many strings as changes).
   */
  | { readonly type: "note"; readonly changes: readonly AdmittedChange[] }
  | { readonly type: "watermark"; readonly executedAt: number }
  | { readonly type: "flush"; readonly id: number };

/** The cache worker to the page. */
export type FromCacheWorker =
  /** The database is open and the writer runs: from now on the worker writes everything the page sends. */
  | { readonly type: "ready" }
  /** A flush committed (its watermark included); the writer's totals and what it still holds. */
  | { readonly type: "flushed"; readonly counters: WriterCounters; readonly pending: number }
  /** The page's `flush()` number `id` is done (committed, or the cache failed). */
  | { readonly type: "flush-done"; readonly id: number; readonly pending: number }
  /** The cache failed in the worker (reported once): a SYNC_CACHE_* code and the SyncError's message. */
  | { readonly type: "failed"; readonly code: string; readonly message: string };

export function writerCounters(counters: CacheCounters): WriterCounters {
  const { flushes, writeSlices, longestWriteSliceMs, entitiesWritten, recordsWritten, bytesWritten, watermarkWritten } = counters;
  return { flushes, writeSlices, longestWriteSliceMs, entitiesWritten, recordsWritten, bytesWritten, watermarkWritten };
}

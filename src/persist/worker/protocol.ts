import type { AdmittedChange } from "../../core/ports";
import type { ToriiValue } from "../../core/types";
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
   * Admitted changes (`count` of them) as the JSON text of an `AdmittedChange[]`, made when the engine admits them: the
   * client's value objects they hold can then die young. Held as objects until a background task posted them (after a
   * replay, seconds later), they survived every collection of the replay and were copied by each: the first
   * young-generation collection after a cold boot's replay paused the page 23–37 ms in Chromium, with them as text
   * 0–9 ms. JSON is the cache's own format (entity-row.ts), so nothing storable is lost.
   */
  | { readonly type: "note"; readonly text: string; readonly count: number }
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

/**
 * The text of a `note`: the changes as JSON, each value as the page-thread writer reads it (entity-row.ts): a primitive
 * by its own fields. A custom client's value object may have a `toJSON`, which JSON would call in their place and
 * store what the cache later reads as corrupt. Throws when JSON cannot hold a value (a bigint, a cycle).
 */
export function encodeNote(changes: readonly AdmittedChange[]): string {
  let plain: AdmittedChange[] | undefined;
  for (let i = 0; i < changes.length; i += 1) {
    const change = changes[i] as AdmittedChange;
    if (change.kind !== "write" || !change.values.some(hasToJSON)) continue;
    plain ??= [...changes];
    plain[i] = { ...change, values: change.values.map((value) => (hasToJSON(value) ? { type: value.type, type_name: value.type_name, value: value.value, key: value.key } : value)) };
  }
  return JSON.stringify(plain ?? changes);
}

/** A primitive with a value (stored by its fields, see entity-row.ts storedValues) whose object has a `toJSON`. */
function hasToJSON(value: ToriiValue): boolean {
  return value.type === "primitive" && value.value !== undefined && typeof (value as { toJSON?: unknown }).toJSON === "function";
}

/** The changes a `note` message carries. */
export function noteChanges(message: Extract<ToCacheWorker, { type: "note" }>): AdmittedChange[] {
  return JSON.parse(message.text) as AdmittedChange[];
}

export function writerCounters(counters: CacheCounters): WriterCounters {
  const { flushes, writeSlices, longestWriteSliceMs, entitiesWritten, recordsWritten, bytesWritten, watermarkWritten } = counters;
  return { flushes, writeSlices, longestWriteSliceMs, entitiesWritten, recordsWritten, bytesWritten, watermarkWritten };
}

import { systemTimers, type Timers } from "../core/clock";
import type { SyncError } from "../core/errors";
import type { CacheIdentity } from "./layout";
import { deleteDatabase, openCacheDatabase, resolveFactory, type CacheDatabase } from "./open";
import { cacheError, classifyStorageError, createCacheFailure, type CacheFailure } from "./storage-errors";

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
  /**
   * Call `listener` once when the cache fails or is closed here (what runs beside the connection stops with it); the
   * returned function forgets it.
   */
  onDropped?(listener: () => void): () => void;
}

/** What opening a connection to the cache needs (`OpenSyncCacheOptions` adds the writer's thread). */
export interface ConnectOptions {
  readonly name: string;
  /** `cacheIdentity(...)`: a cache written for another schema, world or SDK version is cleared on open. */
  readonly identity: CacheIdentity;
  /** Every storage failure, once per cache (a SyncError with a SYNC_CACHE_* code); the cache is then dropped. */
  readonly onError?: (error: SyncError) => void;
  /** The IndexedDB to use; `null` for none. @default globalThis.indexedDB */
  readonly indexedDB?: IDBFactory | null;
  /** @default systemTimers */
  readonly timers?: Timers;
  /** How long opening (or deleting) may wait on other tabs before it counts as blocked (ms). @default 3000 */
  readonly openTimeoutMs?: number;
  /** Only a database the page already made and stamped: never create, repair or clear one (the cache worker's). */
  readonly existing?: boolean;
}

/** An open connection and its one way to close. */
export interface OpenConnection extends CacheConnection {
  /** Close the connection; idempotent. */
  close(): void;
}

export const OPEN_TIMEOUT_MS = 3_000;

/**
 * Open the cache's database as this identity's (see `openCacheDatabase`), with its counters and its one failure: the
 * page's cache and the cache worker's writer each hold one. Storage trouble never throws: it resolves `undefined`
 * after reporting once through `onError`.
 */
export async function connectCache(options: ConnectOptions): Promise<OpenConnection | undefined> {
  const timers = options.timers ?? systemTimers;
  const timeoutMs = options.openTimeoutMs ?? OPEN_TIMEOUT_MS;
  const factory = resolveFactory(options.indexedDB);
  let closed = false;
  let db: CacheDatabase | undefined;
  const dropListeners: Array<() => void> = [];
  const dropped = (): void => {
    for (const listener of dropListeners.splice(0)) listener();
  };
  const failure = createCacheFailure(options.onError, (error) => {
    closed = true;
    db?.close();
    dropped();
    // Dropping a cache that is full or unreadable means deleting it: the next load starts clean rather than failing again.
    // Not from the worker's connection: the page deletes it once told, so the page always hears of the failure first.
    if (factory !== undefined && options.existing !== true && (error.code === "SYNC_CACHE_QUOTA" || error.code === "SYNC_CACHE_CORRUPT")) {
      deleteDatabase(factory, options.name, timers, timeoutMs).catch(() => undefined);
    }
  });
  if (factory === undefined) {
    failure.fail(cacheError("SYNC_CACHE_UNAVAILABLE", "this browser offers no IndexedDB"));
    return undefined;
  }
  try {
    db = await openCacheDatabase(
      factory,
      options.name,
      options.identity,
      timers,
      timeoutMs,
      () => {
        closed = true;
        dropped();
      },
      options.existing === true,
    );
  } catch (thrown) {
    failure.fail(classifyStorageError(thrown, `opening database "${options.name}"`));
    return undefined;
  }
  const opened = db;
  // Closed by the browser itself (storage cleared from the settings, a disk error): the cache is gone for this session.
  opened.addEventListener("close", () => failure.fail(cacheError("SYNC_CACHE_UNAVAILABLE", "the browser closed the database")));
  return {
    name: options.name,
    db: opened,
    identity: options.identity,
    timers,
    counters: createCacheCounters(),
    failure,
    usable: () => !closed,
    onDropped(listener) {
      if (closed) {
        listener();
        return () => undefined;
      }
      dropListeners.push(listener);
      return () => {
        const at = dropListeners.indexOf(listener);
        if (at >= 0) dropListeners.splice(at, 1);
      };
    },
    close() {
      if (closed) return;
      closed = true;
      opened.close();
      dropped();
    },
  };
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

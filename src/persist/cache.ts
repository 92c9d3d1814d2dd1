import { systemTimers, type Timers } from "../core/clock";
import type { SyncError } from "../core/errors";
import { createCacheCounters, type CacheConnection, type CacheCounters } from "./connection";
import { hydrateCache, type CachedMessagesListener, type HydrateOptions, type HydrateResult } from "./hydrate";
import { CACHE_NAME_PREFIX, META, isWatermark, type CacheIdentity, type Watermark } from "./layout";
import { deleteDatabase, openCacheDatabase, resolveFactory, type CacheDatabase } from "./open";
import { cacheError, classifyStorageError, createCacheFailure } from "./storage-errors";
import type { LockManagerLike } from "./election";
import { createCacheWriter, type CacheWriter, type CacheWriterOptions } from "./writer";

/** The app's `persist` option: an IndexedDB cache of the synced world for warm starts. */
export interface PersistOptions {
  /**
   * The IndexedDB database's name; one cache per name (two pipelines of one world in one tab need two names).
   * @default `torii-sync-guard:<world addresses>`
   */
  readonly name?: string;
  /**
   * The IndexedDB to use (tests, workers, embedded browsers); `null` for none (the sync runs without a cache).
   * @default globalThis.indexedDB
   */
  readonly indexedDB?: IDBFactory | null;
  /**
   * One tab of the origin syncs for all: the one holding a Web Lock subscribes to Torii and writes the cache, the others
   * apply its admitted changes (relayed over a BroadcastChannel) through their own admission; when it closes the next
   * tab takes over. `false` for a sync per tab. Without Web Locks or BroadcastChannel every tab syncs for itself.
   * @default shared, through `navigator.locks` and `BroadcastChannel`
   */
  readonly tabs?: PersistTabsOptions | false;
}

/** How tabs share a persisted sync (see `PersistOptions.tabs`). */
export interface PersistTabsOptions {
  /** The Web Locks API; `null` for none (each tab syncs for itself). @default globalThis.navigator.locks */
  readonly locks?: LockManagerLike | null;
  /** `null` for none (each tab syncs for itself). @default globalThis.BroadcastChannel */
  readonly BroadcastChannel?: typeof BroadcastChannel | null;
  /** This tab's id on the channel. @default a random id */
  readonly tabId?: string;
}

export interface OpenSyncCacheOptions {
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
}

/** An open persisted cache. Every method is safe after a failure: reads give nothing, writes are dropped. */
export interface SyncCache {
  readonly name: string;
  readonly identity: CacheIdentity;
  /** True once the cache failed (reported once) or was closed, here or by another tab deleting it. */
  readonly dropped: boolean;
  /** The watermark on disk, or undefined (none yet, or the cache is dropped). */
  readWatermark(): Promise<Watermark | undefined>;
  /** Hand the whole cache to `onMessages` as Torii entity messages, in slices. */
  hydrate(onMessages: CachedMessagesListener, options?: HydrateOptions): Promise<HydrateResult>;
  /** The cache's writer (one per leader term; close it when the tab stops leading). */
  createWriter(options?: CacheWriterOptions): CacheWriter;
  /** A snapshot of what the cache did. */
  counters(): CacheCounters;
  /** Close the connection; idempotent. */
  close(): void;
}

const OPEN_TIMEOUT_MS = 3_000;

/**
 * Open the persisted cache named `name`. Storage trouble never throws: it resolves `undefined` after reporting once
 * through `onError` (no IndexedDB, a blocked open, a broken database), and the sync goes on from the network.
 */
export async function openSyncCache(options: OpenSyncCacheOptions): Promise<SyncCache | undefined> {
  const timers = options.timers ?? systemTimers;
  const timeoutMs = options.openTimeoutMs ?? OPEN_TIMEOUT_MS;
  const factory = resolveFactory(options.indexedDB);
  let closed = false;
  let db: CacheDatabase | undefined;
  const failure = createCacheFailure(options.onError, (error) => {
    closed = true;
    db?.close();
    // Dropping a cache that is full or unreadable means deleting it: the next load starts clean rather than failing again.
    if (factory !== undefined && (error.code === "SYNC_CACHE_QUOTA" || error.code === "SYNC_CACHE_CORRUPT")) {
      deleteDatabase(factory, options.name, timers, timeoutMs).catch(() => undefined);
    }
  });
  if (factory === undefined) {
    failure.fail(cacheError("SYNC_CACHE_UNAVAILABLE", "this browser offers no IndexedDB"));
    return undefined;
  }
  try {
    db = await openCacheDatabase(factory, options.name, options.identity, timers, timeoutMs, () => {
      closed = true;
    });
  } catch (thrown) {
    failure.fail(classifyStorageError(thrown, `opening database "${options.name}"`));
    return undefined;
  }
  // Closed by the browser itself (storage cleared from the settings, a disk error): the cache is gone for this session.
  db.addEventListener("close", () => failure.fail(cacheError("SYNC_CACHE_UNAVAILABLE", "the browser closed the database")));
  const counters = createCacheCounters();
  const connection: CacheConnection = {
    name: options.name,
    db,
    identity: options.identity,
    timers,
    counters,
    failure,
    usable: () => !closed,
  };
  return {
    name: options.name,
    identity: options.identity,
    get dropped() {
      return closed;
    },
    async readWatermark() {
      if (closed) return undefined;
      try {
        const stored = await connection.db.get(META, "watermark");
        if (stored !== undefined && !isWatermark(stored)) throw cacheError("SYNC_CACHE_CORRUPT", "the watermark record is unreadable");
        return stored;
      } catch (thrown) {
        failure.fail(classifyStorageError(thrown, "reading the watermark"));
        return undefined;
      }
    },
    hydrate: (onMessages, hydrateOptions) => hydrateCache(connection, onMessages, hydrateOptions),
    createWriter: (writerOptions) => createCacheWriter(connection, writerOptions),
    counters: () => ({ ...counters }),
    close() {
      if (closed) return;
      closed = true;
      connection.db.close();
    },
  };
}

export interface ClearPersistedSyncOptions {
  /** @default globalThis.indexedDB */
  readonly indexedDB?: IDBFactory | null;
  /** @default systemTimers */
  readonly timers?: Timers;
  /** @default 3000 */
  readonly timeoutMs?: number;
}

/**
 * Remove a persisted cache: `name`, or without one every cache this SDK named by default (`torii-sync-guard:…`).
 * Open tabs of this SDK close their connection when asked, so only another program can block it: then this rejects
 * with SYNC_CACHE_BLOCKED, and the browser deletes it once that tab lets go. Resolves when there was nothing to remove.
 */
export async function clearPersistedSync(name?: string, options: ClearPersistedSyncOptions = {}): Promise<void> {
  const factory = resolveFactory(options.indexedDB);
  if (factory === undefined) return;
  const timers = options.timers ?? systemTimers;
  const timeoutMs = options.timeoutMs ?? OPEN_TIMEOUT_MS;
  let names: string[];
  if (name !== undefined) names = [name];
  else {
    // `databases()` is missing in older browsers: then only named caches can be cleared.
    const listed = typeof factory.databases === "function" ? await factory.databases() : [];
    names = listed.map((info) => info.name ?? "").filter((found) => found.startsWith(CACHE_NAME_PREFIX));
  }
  for (const found of names) await deleteDatabase(factory, found, timers, timeoutMs);
}

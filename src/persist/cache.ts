import { systemTimers, type Timers } from "../core/clock";
import { connectCache, OPEN_TIMEOUT_MS, type CacheCounters, type ConnectOptions } from "./connection";
import { hydrateCache, type CachedMessagesListener, type HydrateOptions, type HydrateResult } from "./hydrate";
import { CACHE_NAME_PREFIX, META, isWatermark, type CacheIdentity, type Watermark } from "./layout";
import { deleteDatabase, resolveFactory } from "./open";
import { cacheError, classifyStorageError } from "./storage-errors";
import type { LockManagerLike } from "./election";
import { createCacheWriter, type CacheWriter, type CacheWriterOptions } from "./writer";
import { createWorkerWriter } from "./worker/remote-writer";
import { workersAvailable } from "./worker/spawn";

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
  /**
   * Write the cache from a dedicated worker (started from a Blob, nothing to serve), so the writer's work and garbage
   * never pause the page: used when `indexedDB` is the page's own and the browser has workers; if the page refuses the
   * worker (a Content Security Policy without `worker-src blob:`), the page's thread writes instead. `false` to write
   * from the page's thread.
   * @default true
   */
  readonly worker?: boolean;
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

/** How to open a persisted cache: a connection's options (connection.ts), and the writer's thread. */
export interface OpenSyncCacheOptions extends Omit<ConnectOptions, "existing"> {
  /**
   * Write from a dedicated worker when the page's own IndexedDB is used and the browser has workers: the writer's
   * allocations (its records, their JSON) then never pause the page's thread; `false` writes from the page's thread.
   * @default true
   */
  readonly worker?: boolean;
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
  /**
   * Call `listener` once when the cache is dropped: it failed (reported through `onError`), it was closed here, or it
   * was deleted or upgraded from another tab (`clearPersistedSync`, reported to no one). Returns the unsubscribe.
   */
  onDropped(listener: () => void): () => void;
  /** Close the connection; idempotent. */
  close(): void;
}


/**
 * Open the persisted cache named `name`. Storage trouble never throws: it resolves `undefined` after reporting once
 * through `onError` (no IndexedDB, a blocked open, a broken database), and the sync goes on from the network.
 */
export async function openSyncCache(options: OpenSyncCacheOptions): Promise<SyncCache | undefined> {
  const connection = await connectCache(options);
  if (connection === undefined) return undefined;
  const { failure, counters } = connection;
  // The writer runs in a worker where the page's own IndexedDB is in use and workers exist (a browser): its allocations
  // then never pause the page's thread. An injected IndexedDB (tests, fake-indexeddb) cannot cross to a worker.
  const inWorker = options.worker !== false && options.indexedDB === undefined;
  return {
    name: options.name,
    identity: options.identity,
    get dropped() {
      return !connection.usable();
    },
    async readWatermark() {
      if (!connection.usable()) return undefined;
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
    createWriter: (writerOptions = {}) => (inWorker && workersAvailable() ? createWorkerWriter(connection, writerOptions) : createCacheWriter(connection, writerOptions)),
    counters: () => ({ ...counters }),
    onDropped: (listener) => connection.onDropped?.(listener) ?? (() => undefined),
    close: () => connection.close(),
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
    let listed: IDBDatabaseInfo[] = [];
    try {
      if (typeof factory.databases === "function") listed = await factory.databases();
    } catch (thrown) {
      throw classifyStorageError(thrown, "listing the databases to clear");
    }
    names = listed.map((info) => info.name ?? "").filter((found) => found.startsWith(CACHE_NAME_PREFIX));
  }
  for (const found of names) await deleteDatabase(factory, found, timers, timeoutMs);
}

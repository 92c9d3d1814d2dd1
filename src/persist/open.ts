import { wrap, type IDBPDatabase } from "idb";
import { SyncError } from "../core/errors";
import type { Timers } from "../core/clock";
import { BUCKETS, CACHE_LAYOUT_VERSION, META, STORES, isCacheIdentity, sameIdentity, type CacheIdentity, type CacheSchema } from "./layout";
import { cacheError, classifyStorageError } from "./storage-errors";

export type CacheDatabase = IDBPDatabase<CacheSchema>;

/** The factory to use: the one given, `null` for none (as in private mode), else the page's own. */
export function resolveFactory(given: IDBFactory | null | undefined): IDBFactory | undefined {
  if (given !== undefined) return given ?? undefined;
  return (globalThis as { indexedDB?: IDBFactory }).indexedDB;
}

/**
 * Open (creating or repairing) the cache's database and make it this identity's: a cache written for another schema or
 * SDK version is cleared in the same transaction that stamps the new identity. Rejects with a SyncError only.
 * `onVersionChange`: another tab deletes or upgrades the database; this connection has closed to let it.
 */
export async function openCacheDatabase(factory: IDBFactory, name: string, identity: CacheIdentity, timers: Timers, timeoutMs: number, onVersionChange: () => void, existing = false): Promise<CacheDatabase> {
  if (existing) return openExisting(factory, name, identity, timers, timeoutMs, onVersionChange);
  let db = await openOnce(factory, name, timers, timeoutMs);
  if (!hasLayout(db)) {
    // Something else lives under this name (an older layout, a half-made database): ours to rebuild, it is only a cache.
    db.close();
    await deleteDatabase(factory, name, timers, timeoutMs);
    db = await openOnce(factory, name, timers, timeoutMs);
    if (!hasLayout(db)) {
      db.close();
      throw cacheError("SYNC_CACHE_CORRUPT", `database "${name}" does not have the cache's stores`);
    }
  }
  db.addEventListener("versionchange", () => {
    db.close();
    onVersionChange();
  });
  try {
    const stored = await db.get(META, "identity");
    if (!isCacheIdentity(stored) || !sameIdentity(stored, identity)) await resetTo(db, identity);
  } catch (thrown) {
    db.close();
    throw classifyStorageError(thrown, `reading database "${name}"`);
  }
  return db;
}

/**
 * Open a database the page made and stamped (the cache worker's connection): never create, repair or clear it. Gone (a
 * failure in the page deleted it), another layout, or another identity: rejects with SYNC_CACHE_UNAVAILABLE, and
 * nothing is made or changed, so a cache the page dropped stays dropped.
 */
async function openExisting(factory: IDBFactory, name: string, identity: CacheIdentity, timers: Timers, timeoutMs: number, onVersionChange: () => void): Promise<CacheDatabase> {
  const gone = (): SyncError => cacheError("SYNC_CACHE_UNAVAILABLE", `database "${name}" is gone or no longer this cache's`);
  const db = await openOnce(factory, name, timers, timeoutMs, false).catch((thrown: unknown) => {
    throw thrown instanceof SyncError && thrown.code === "SYNC_CACHE_BLOCKED" ? thrown : gone();
  });
  db.addEventListener("versionchange", () => {
    db.close();
    onVersionChange();
  });
  try {
    const stored = hasLayout(db) ? await db.get(META, "identity") : undefined;
    if (!isCacheIdentity(stored) || !sameIdentity(stored, identity)) throw gone();
  } catch (thrown) {
    db.close();
    throw classifyStorageError(thrown, `reading database "${name}"`);
  }
  return db;
}

/** Delete the database; rejects with SYNC_CACHE_BLOCKED when another connection holds it open past the deadline. */
export function deleteDatabase(factory: IDBFactory, name: string, timers: Timers, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let request: IDBOpenDBRequest;
    try {
      request = factory.deleteDatabase(name);
    } catch (thrown) {
      reject(classifyStorageError(thrown, `deleting database "${name}"`));
      return;
    }
    const timer = timers.setTimeout(() => reject(blocked(name, "deleting")), timeoutMs);
    const settle = (error?: SyncError): void => {
      timers.clearTimeout(timer);
      if (error === undefined) resolve();
      else reject(error);
    };
    request.addEventListener("success", () => settle());
    request.addEventListener("error", () => settle(classifyStorageError(request.error, `deleting database "${name}"`)));
    // The delete stays queued until the other connections close: the caller hears now, the browser finishes later.
    request.addEventListener("blocked", () => settle(blocked(name, "deleting")));
  });
}

/** One open request; `create` false aborts the upgrade a missing (or older) database would need, so none is made. */
function openOnce(factory: IDBFactory, name: string, timers: Timers, timeoutMs: number, create = true): Promise<CacheDatabase> {
  return new Promise((resolve, reject) => {
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(name, CACHE_LAYOUT_VERSION);
    } catch (thrown) {
      // Private mode in some browsers, or an opaque origin: open throws before it starts.
      reject(classifyStorageError(thrown, `opening database "${name}"`));
      return;
    }
    let settled = false;
    const timer = timers.setTimeout(() => fail(blocked(name, "opening")), timeoutMs);
    const fail = (error: SyncError): void => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(timer);
      reject(error);
    };
    request.addEventListener("upgradeneeded", (event) => {
      if (create) createStores(request.result, event.oldVersion);
      else request.transaction?.abort();
    });
    request.addEventListener("blocked", () => fail(blocked(name, "upgrading")));
    (wrap(request) as Promise<CacheDatabase>).then(
      (db) => {
        if (settled) {
          // Given up on (blocked, or too slow): close it so that it blocks no one in turn.
          db.close();
          return;
        }
        settled = true;
        timers.clearTimeout(timer);
        resolve(db);
      },
      (thrown: unknown) => fail(classifyStorageError(thrown, `opening database "${name}"`)),
    );
  });
}

/**
 * Make the stores of this layout. An older layout's stores go, its meta included (an identity and a watermark over
 * records that are gone would be a lie): the cache starts empty, as after a schema change.
 */
function createStores(db: IDBDatabase, oldVersion: number): void {
  if (oldVersion !== CACHE_LAYOUT_VERSION) for (const name of [...db.objectStoreNames]) db.deleteObjectStore(name);
  if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
  // Out-of-line keys: with a key path, the browser reads each value put back into a copy to find its key.
  if (!db.objectStoreNames.contains(BUCKETS)) db.createObjectStore(BUCKETS);
}

function hasLayout(db: CacheDatabase): boolean {
  const names = db.objectStoreNames;
  if (names.length !== STORES.length || !STORES.every((store) => names.contains(store))) return false;
  return db.transaction(BUCKETS, "readonly").store.keyPath === null;
}

/** Clear every store and stamp the identity, atomically: no reader ever sees old records under a new identity. */
async function resetTo(db: CacheDatabase, identity: CacheIdentity): Promise<void> {
  const tx = db.transaction([META, BUCKETS], "readwrite");
  await Promise.all([
    tx.objectStore(META).clear(),
    tx.objectStore(BUCKETS).clear(),
    tx.objectStore(META).put({ fingerprint: identity.fingerprint, packageVersion: identity.packageVersion }, "identity"),
    tx.done,
  ]);
}

function blocked(name: string, doing: string): SyncError {
  return cacheError("SYNC_CACHE_BLOCKED", `${doing} database "${name}" is blocked by another open tab`);
}

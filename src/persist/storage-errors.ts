import { SyncError, type SyncErrorCode } from "../core/errors";

type CacheErrorCode = Extract<SyncErrorCode, `SYNC_CACHE_${string}`>;

const ADVICE: Record<CacheErrorCode, string> = {
  SYNC_CACHE_UNAVAILABLE: "the sync goes on from the network without a cache (private browsing and some embedded browsers have no IndexedDB).",
  SYNC_CACHE_QUOTA: "the cache was dropped to free the space; the sync goes on from the network. Free storage for this site to get warm starts back.",
  SYNC_CACHE_BLOCKED: "another tab of this site holds the cache open with an older version; the sync goes on without a cache. Close the other tabs and reload.",
  SYNC_CACHE_CORRUPT: "the cache was dropped and will be rebuilt; the sync goes on from the network.",
};

/** A storage failure as the SDK's error: what went wrong, and that nothing else did. */
export function cacheError(code: CacheErrorCode, what: string, cause?: unknown): SyncError {
  return new SyncError(code, `Persisted sync cache: ${what}; ${ADVICE[code]}`, cause === undefined ? {} : { cause });
}

/**
 * What a storage rejection means for the cache. Browsers reject with DOMExceptions named by the spec; anything else
 * (a closed connection, an unknown disk error) means the cache cannot be used now.
 */
export function classifyStorageError(thrown: unknown, what: string): SyncError {
  if (thrown instanceof SyncError) return thrown;
  const name = (thrown as { name?: unknown } | null)?.name;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  switch (name) {
    case "QuotaExceededError":
      return cacheError("SYNC_CACHE_QUOTA", `${what} ran out of storage (${message})`, thrown);
    case "DataError":
    case "DataCloneError":
      return cacheError("SYNC_CACHE_CORRUPT", `${what} met a record it cannot read or write (${message})`, thrown);
    case "VersionError":
      // The database is at a newer layout than this code knows: a newer release of the app in another tab made it.
      return cacheError("SYNC_CACHE_UNAVAILABLE", `${what} found a cache made by a newer version of the app (${message})`, thrown);
    default:
      return cacheError("SYNC_CACHE_UNAVAILABLE", `${what} failed (${name === undefined ? "" : `${String(name)}: `}${message})`, thrown);
  }
}

/**
 * A cache fails at most once: the first error is reported, the cache is dropped, and every later call is a no-op.
 * Storage trouble must never reach the engine as a throw, and a failing disk must not flood the app's logs.
 */
export interface CacheFailure {
  readonly failed: SyncError | undefined;
  /** Report `error` if nothing was reported yet, then run the drop (once). */
  fail(error: SyncError): void;
}

export function createCacheFailure(onError: ((error: SyncError) => void) | undefined, drop: (error: SyncError) => void): CacheFailure {
  let failed: SyncError | undefined;
  return {
    get failed() {
      return failed;
    },
    fail(error) {
      if (failed !== undefined) return;
      failed = error;
      try {
        onError?.(error);
      } catch (thrown) {
        // The app's callback is the app's bug: surface it without breaking the cache's own loop.
        queueMicrotask(() => {
          throw thrown;
        });
      }
      drop(error);
    },
  };
}

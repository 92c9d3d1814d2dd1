import { unwrap } from "idb";
import type { CacheDatabase } from "./open";

/**
 * Raw IndexedDB for the hot paths (write slices, hydration reads): one promise for a whole batch of requests, where
 * idb's wrappers make a promise, two listeners and a WeakMap entry per request. At thousands of requests a second that
 * garbage is what the young-generation collections of V8 spend their pauses on.
 */
export function rawDatabase(db: CacheDatabase): IDBDatabase {
  return unwrap(db);
}

/**
 * The results of `requests`, in order, once every one succeeded; rejects with the first error. Settles inside the last
 * success event, so a continuation that awaits it still runs while the transaction is active.
 */
export function settled(requests: readonly IDBRequest[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const results = new Array<unknown>(requests.length);
    let left = requests.length;
    if (left === 0) resolve(results);
    requests.forEach((request, index) => {
      request.onsuccess = () => {
        results[index] = request.result;
        left -= 1;
        if (left === 0) resolve(results);
      };
      request.onerror = () => reject(request.error ?? new DOMException("request failed", "UnknownError"));
    });
  });
}

/**
 * The transaction's end: resolves on `complete`, rejects on `abort` with the error that aborted it. A request's error
 * reaches the transaction's `error` handler while it bubbles, before `tx.error` is set: the request's own error is
 * kept from there (a failed put is its `QuotaExceededError`, not an anonymous abort), and the abort that follows
 * settles the promise.
 */
export function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed: DOMException | null = null;
    tx.oncomplete = () => resolve();
    tx.onerror = (event) => {
      failed ??= (event.target as IDBRequest | null)?.error ?? null;
    };
    tx.onabort = () => reject(tx.error ?? failed ?? new DOMException("the transaction was aborted", "AbortError"));
  });
}

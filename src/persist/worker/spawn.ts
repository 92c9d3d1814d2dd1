import { CACHE_WORKER_SOURCE } from "./cache-worker-source";
import type { FromCacheWorker, ToCacheWorker } from "./protocol";

/** The part of a `Worker` the writer uses (tests hand in their own). */
export interface CacheWorkerLike {
  onmessage: ((event: MessageEvent<FromCacheWorker>) => void) | null;
  onerror: ((event: ErrorEvent | Event) => void) | null;
  postMessage(message: ToCacheWorker): void;
  terminate(): void;
  /** Free what starting it took (its script's Blob URL), once it runs or failed to. */
  release?(): void;
}

/** Starts the worker (on the writer's first use), or says it cannot (the page refused it). */
export type CacheWorkerSpawner = () => CacheWorkerLike | undefined;

/** Whether this page can start a cache worker at all (a browser): else the caller writes from the page. */
export function workersAvailable(): boolean {
  const scope = globalThis as { Worker?: unknown; Blob?: unknown; URL?: { createObjectURL?: unknown } };
  return typeof scope.Worker === "function" && typeof scope.Blob === "function" && typeof scope.URL?.createObjectURL === "function";
}

/** A worker running the bundled cache writer, from a Blob URL (no file to serve, whatever bundles the app). */
export function spawnCacheWorker(): CacheWorkerLike | undefined {
  if (!workersAvailable()) return undefined;
  const url = URL.createObjectURL(new Blob([CACHE_WORKER_SOURCE], { type: "text/javascript" }));
  let worker: Worker;
  try {
    worker = new Worker(url, { name: "torii-sync-guard cache writer" });
  } catch {
    URL.revokeObjectURL(url);
    return undefined;
  }
  let released = false;
  const handle = worker as unknown as CacheWorkerLike;
  handle.release = () => {
    if (released) return;
    released = true;
    URL.revokeObjectURL(url);
  };
  return handle;
}

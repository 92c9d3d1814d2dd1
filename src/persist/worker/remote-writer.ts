import { SyncError, type SyncErrorCode } from "../../core/errors";
import type { CacheConnection } from "../connection";
import { createCacheWriter, type CacheWriter, type CacheWriterOptions } from "../writer";
import { CACHE_WORKER_SOURCE } from "./cache-worker-source";
import { backgroundTasks, type BackgroundTasks } from "./background";
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

/** Starts the worker, or says there is none to start (no `Worker`, no Blob URLs, or the page refused it). */
export type CacheWorkerSpawner = () => CacheWorkerLike | undefined;

/** The page's time for one task of posting (ms): cloning is the page's work, so it goes in slices. */
const POST_SLICE_MS = 2;
/** Changes per message at most: a drain of a snapshot page admits thousands, whose clone alone would outlast a slice. */
const CHANGES_PER_MESSAGE = 128;

/**
 * The page's writer, writing from a dedicated worker: the page only posts what the engine admitted, and the worker
 * merges, encodes and writes. A busy page then never pauses for the writer's garbage, and the writer never waits for
 * the page. Counters come back after each flush.
 *
 * Posting (a structured clone of every change, made outside V8's heap) is the page's one cost. It runs in background
 * tasks of about `POST_SLICE_MS`, in order, so a replay that keeps the page busy finishes first and the changes follow.
 *
 * Until the worker says it is ready, the page keeps what it sent: if the worker cannot start (a Content Security Policy
 * without `worker-src blob:`, say), a writer in the page's thread takes over with all of it, and nothing is lost. Once
 * ready, a failure in the worker is the cache's (reported once, the cache dropped), as it would be in the page.
 * `undefined` when no worker could be made at all: the caller writes from the page.
 */
export function createWorkerWriter(connection: CacheConnection, options: CacheWriterOptions, spawn: CacheWorkerSpawner = spawnCacheWorker, tasks: BackgroundTasks = backgroundTasks()): CacheWriter | undefined {
  const worker = spawn();
  if (worker === undefined) return undefined;
  const { onFlushed, ...writerOptions } = options;
  const clock = connection.timers.monotonic?.bind(connection.timers) ?? (() => connection.timers.now());
  const waiting = new Map<number, () => void>();
  /** Messages not posted yet, in order, from `next` on. */
  let outbox: ToCacheWorker[] = [];
  let next = 0;
  let scheduled = false;
  /** Posted before the worker said it was ready: what a writer in the page would take over. */
  let unconfirmed: ToCacheWorker[] | undefined = [];
  let local: CacheWriter | undefined;
  let nextFlush = 0;
  let pending = 0;
  let closed = false;

  const stop = (): void => {
    worker.release?.();
    worker.onmessage = null;
    worker.onerror = null;
    worker.terminate();
    tasks.cancel();
    outbox = [];
    next = 0;
    for (const resolve of waiting.values()) resolve();
    waiting.clear();
  };
  const post = (): void => {
    scheduled = false;
    if (closed || local !== undefined) return;
    const started = clock();
    while (next < outbox.length) {
      const message = outbox[next] as ToCacheWorker;
      next += 1;
      unconfirmed?.push(message);
      worker.postMessage(message);
      if (clock() - started >= POST_SLICE_MS) break;
    }
    if (next < outbox.length) schedule();
    else {
      outbox = [];
      next = 0;
    }
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    tasks.post(post);
  };
  const send = (message: ToCacheWorker): void => {
    outbox.push(message);
    schedule();
  };

  worker.onmessage = (event) => {
    const message = event.data;
    switch (message.type) {
      case "ready":
        unconfirmed = undefined;
        worker.release?.();
        return;
      case "flushed":
        Object.assign(connection.counters, message.counters);
        pending = message.pending;
        onFlushed?.();
        return;
      case "flush-done":
        pending = message.pending;
        waiting.get(message.id)?.();
        waiting.delete(message.id);
        return;
      case "failed":
        stop();
        connection.failure.fail(new SyncError(message.code.startsWith("SYNC_CACHE_") ? (message.code as SyncErrorCode) : "SYNC_CACHE_UNAVAILABLE", message.message));
    }
  };
  worker.onerror = (event) => {
    event.preventDefault?.();
    const takeOver = unconfirmed === undefined ? undefined : [...unconfirmed, ...outbox.slice(next)];
    const flushes = [...waiting.values()];
    waiting.clear();
    stop();
    if (takeOver === undefined) {
      const what = "message" in event && typeof event.message === "string" ? event.message : "an error";
      connection.failure.fail(new SyncError("SYNC_CACHE_UNAVAILABLE", `Persisted sync cache: the cache's worker stopped (${what}); the sync goes on from the network without a cache.`));
      for (const resolve of flushes) resolve();
      return;
    }
    // The worker never started: the page's own thread writes everything it was sent, in order; its flushes wait for it.
    const writer = createCacheWriter(connection, options);
    local = writer;
    for (const message of takeOver) {
      if (message.type === "note") writer.note(message.changes);
      else if (message.type === "watermark") writer.noteWatermark(message.executedAt);
    }
    for (const resolve of flushes) void writer.flush().then(resolve);
  };
  send({ type: "open", name: connection.name, identity: connection.identity, writer: writerOptions });
  // The page's cache failed or closed: the worker's connection must not outlive it (a deleted cache stays deleted).
  connection.onDropped?.(() => {
    if (!closed && local === undefined) stop();
  });

  return {
    note(changes) {
      if (closed || changes.length === 0) return;
      if (local !== undefined) local.note(changes);
      else if (connection.usable()) {
        for (let from = 0; from < changes.length; from += CHANGES_PER_MESSAGE) send({ type: "note", changes: from === 0 && changes.length <= CHANGES_PER_MESSAGE ? changes : changes.slice(from, from + CHANGES_PER_MESSAGE) });
      }
    },
    noteWatermark(executedAt) {
      if (closed) return;
      if (local !== undefined) local.noteWatermark(executedAt);
      else if (connection.usable()) send({ type: "watermark", executedAt });
    },
    flush() {
      if (local !== undefined) return local.flush();
      if (closed || !connection.usable()) return Promise.resolve();
      const id = (nextFlush += 1);
      return new Promise<void>((resolve) => {
        waiting.set(id, resolve);
        send({ type: "flush", id });
      });
    },
    get pending() {
      return local?.pending ?? pending;
    },
    close() {
      if (closed) return;
      closed = true;
      local?.close();
      stop();
    },
  };
}

/** A worker running the bundled cache writer, from a Blob URL (no file to serve, whatever bundles the app). */
export function spawnCacheWorker(): CacheWorkerLike | undefined {
  const { Worker: WorkerCtor, Blob: BlobCtor, URL: UrlApi } = globalThis as { Worker?: typeof Worker; Blob?: typeof Blob; URL?: typeof URL };
  if (typeof WorkerCtor !== "function" || typeof BlobCtor !== "function" || typeof UrlApi?.createObjectURL !== "function") return undefined;
  const url = UrlApi.createObjectURL(new BlobCtor([CACHE_WORKER_SOURCE], { type: "text/javascript" }));
  let worker: Worker;
  try {
    worker = new WorkerCtor(url, { name: "torii-sync-guard cache writer" });
  } catch {
    UrlApi.revokeObjectURL(url);
    return undefined;
  }
  let released = false;
  const handle = worker as unknown as CacheWorkerLike;
  handle.release = () => {
    if (released) return;
    released = true;
    UrlApi.revokeObjectURL(url);
  };
  return handle;
}

import type { Timers } from "../../core/clock";
import type { SyncError } from "../../core/errors";
import { connectCache, type OpenConnection } from "../connection";
import { createCacheWriter, type CacheWriter } from "../writer";
import { noteChanges, writerCounters, type FromCacheWorker, type ToCacheWorker } from "./protocol";

/** The worker's side of its channel: `self` in the worker, a fake in tests. */
export interface CacheWorkerScope {
  onmessage: ((event: MessageEvent<ToCacheWorker>) => void) | null;
  postMessage(message: FromCacheWorker): void;
}

/** The worker's slice budget (ms) unless the page set one: nothing here to keep responsive, so fewer transactions. */
const WORKER_SLICE_MS = 50;

/**
 * Serve the cache writer on `scope`: open the page's database (never making one: `existing`), run a writer on it, and
 * answer the page (ready, flushed, flush-done, failed). Messages that arrive while the database opens run in order
 * once it is open. `host`: the IndexedDB and timers to use (tests); the worker's own by default.
 */
export function serveCacheWriter(scope: CacheWorkerScope, host: { readonly indexedDB?: IDBFactory; readonly timers?: Timers } = {}): void {
  const post = (message: FromCacheWorker): void => scope.postMessage(message);
  let connection: OpenConnection | undefined;
  let writer: CacheWriter | undefined;
  let opening = false;
  let failed = false;
  const early: ToCacheWorker[] = [];

  const run = (message: ToCacheWorker): void => {
    switch (message.type) {
      case "open":
        opening = true;
        void open(message);
        return;
      case "note":
        writer?.note(noteChanges(message));
        return;
      case "watermark":
        writer?.noteWatermark(message.executedAt);
        return;
      case "flush": {
        const { id } = message;
        const current = writer;
        if (current === undefined) post({ type: "flush-done", id, pending: 0 });
        else void current.flush().then(() => post({ type: "flush-done", id, pending: current.pending }));
      }
    }
  };

  const open = async (message: Extract<ToCacheWorker, { type: "open" }>): Promise<void> => {
    connection = await connectCache({
      name: message.name,
      identity: message.identity,
      // The page made the database: if it is gone by now (the page's cache failed and deleted it), make nothing.
      existing: true,
      // Reported once, by the connection's failure: the page drops its cache on it, as it would for its own.
      onError: (error: SyncError) => {
        failed = true;
        post({ type: "failed", code: error.code, message: error.message });
      },
      ...host,
    });
    opening = false;
    if (connection !== undefined) {
      const { counters } = connection;
      const made = createCacheWriter(connection, {
        sliceBudgetMs: WORKER_SLICE_MS,
        ...message.writer,
        onFlushed: () => post({ type: "flushed", counters: writerCounters(counters), pending: made.pending }),
      });
      writer = made;
      post({ type: "ready" });
    }
    // Failed or not, what waited is answered: notes go nowhere once the cache failed, flushes say done.
    for (const waiting of early.splice(0)) run(waiting);
  };

  scope.onmessage = (event) => {
    if (opening && !failed) early.push(event.data);
    else run(event.data);
  };
}

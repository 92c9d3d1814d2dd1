import { SyncError, type SyncErrorCode } from "../../core/errors";
import type { AdmittedChange } from "../../core/ports";
import type { CacheConnection } from "../connection";
import { cacheError } from "../storage-errors";
import { createCacheWriter, type CacheWriter, type CacheWriterOptions } from "../writer";
import { backgroundTasks, type BackgroundTasks } from "./background";
import { encodeNote, noteChanges, type FromCacheWorker, type ToCacheWorker, type WriterCounters } from "./protocol";
import { spawnCacheWorker, type CacheWorkerLike, type CacheWorkerSpawner } from "./spawn";

/** The page's time for one task of posting (ms): cloning is the page's work, so it goes in slices. */
const POST_SLICE_MS = 2;
/**
 * Changes per message at most: a drain of a snapshot page admits thousands, whose post alone would outlast a slice. A
 * message of this many is a string of ~200 KB, which V8 keeps in its large-object space: never copied by a collection.
 */
const CHANGES_PER_MESSAGE = 512;
/**
 * Messages waiting beyond this many (about 520,000 changes: a cold replay of 170,000 entities of 3 models) are posted
 * in ordinary tasks, not background ones: a page busy for long cannot pile up changes without bound.
 */
const MAX_WAITING_MESSAGES = 1_024;
/** A worker silent this long after it was made (neither ready nor failed) is given up: the page's thread writes. */
const READY_TIMEOUT_MS = 10_000;

/**
 * The page's writer, writing from a dedicated worker: the page only posts what the engine admitted, and the worker
 * merges, encodes and writes, so the page never pauses for the writer's garbage. The worker starts on first use (a tab
 * that never writes, a follower, starts none). Counters come back after each flush, added to the page's.
 *
 * The page's costs: encoding (JSON text, when the engine admits the changes, see protocol.ts) and posting (a copy of
 * that text). Posting runs in background tasks of about `POST_SLICE_MS`, in order, so a replay that keeps the page
 * busy finishes first; a `flush()` (someone waits on it) or a backlog over `MAX_WAITING_MESSAGES` posts in ordinary
 * tasks instead.
 *
 * Until the worker says it is ready the page keeps what it sent: if the worker cannot start (a Content Security Policy
 * without `worker-src blob:`, say) or stays silent, a writer in the page's thread takes over with all of it, and
 * nothing is lost. Once ready, a failure in the worker is the cache's (reported once, the cache dropped), as a change
 * the worker cannot be sent is.
 */
export function createWorkerWriter(connection: CacheConnection, options: CacheWriterOptions, spawn: CacheWorkerSpawner = spawnCacheWorker, tasks: BackgroundTasks = backgroundTasks()): CacheWriter {
  const { onFlushed, ...writerOptions } = options;
  const { timers, counters, failure } = connection;
  const clock = timers.monotonic?.bind(timers) ?? (() => timers.now());
  // The page's totals before this writer: the worker's own start at zero.
  const base: WriterCounters = { ...counters };
  const waiting = new Map<number, () => void>();
  let worker: CacheWorkerLike | undefined;
  let readyTimer: unknown;
  /** Messages not posted yet, in order. */
  let outbox: ToCacheWorker[] = [];
  let queuedChanges = 0;
  /** Changes posted since the worker last said what it holds. */
  let postedChanges = 0;
  /** The task posted for the outbox, if any, and its kind; a task whose token is not the latest does nothing. */
  let scheduled: "background" | "urgent" | undefined;
  let token = 0;
  let urgent = false;
  /** Posted before the worker said it was ready: what a writer in the page would take over. */
  let unconfirmed: ToCacheWorker[] | undefined = [];
  let local: CacheWriter | undefined;
  let nextFlush = 0;
  let reported = 0;
  let stopped = false;
  let forget: () => void = () => undefined;

  /** Stop the worker and the posting, and answer every waiting flush (after whatever the caller reports now). */
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    forget();
    if (readyTimer !== undefined) timers.clearTimeout(readyTimer);
    readyTimer = undefined;
    tasks.cancel();
    scheduled = undefined;
    outbox = [];
    queuedChanges = 0;
    if (worker !== undefined) {
      worker.release?.();
      worker.onmessage = null;
      worker.onerror = null;
      worker.terminate();
    }
    for (const resolve of answerFlushes()) resolve();
  };
  const answerFlushes = (): Array<() => void> => {
    const resolvers = [...waiting.values()];
    waiting.clear();
    return resolvers;
  };
  /** The cache's failure: reported once, the worker stopped, every waiting flush answered (it resumes after the report). */
  const fail = (error: SyncError): void => {
    stop();
    failure.fail(error);
  };
  /** The worker never started: the page's own thread writes everything it was sent, in order; its flushes wait for it. */
  const takeOver = (): void => {
    const messages = [...(unconfirmed ?? []), ...outbox];
    const resolvers = answerFlushes();
    stop();
    const writer = createCacheWriter(connection, options);
    local = writer;
    for (const message of messages) {
      if (message.type === "note") writer.note(noteChanges(message));
      else if (message.type === "watermark") writer.noteWatermark(message.executedAt);
    }
    for (const resolve of resolvers) void writer.flush().then(resolve);
  };

  const start = (): CacheWorkerLike | undefined => {
    let made: CacheWorkerLike | undefined;
    try {
      made = spawn();
    } catch {
      // A page that refuses Blob URLs or workers outright: the page's thread writes (the caller takes over).
      made = undefined;
    }
    if (made === undefined) return undefined;
    made.onmessage = (event) => receive(event.data);
    made.onerror = (event) => {
      event.preventDefault?.();
      if (unconfirmed !== undefined) takeOver();
      else fail(new SyncError("SYNC_CACHE_UNAVAILABLE", `Persisted sync cache: the cache's worker stopped (${"message" in event && typeof event.message === "string" ? event.message : "an error"}); the sync goes on from the network without a cache.`));
    };
    return made;
  };
  /** Counted from when `open` is posted, not from the spawn: a replay can keep the page from posting for longer. */
  const awaitReady = (): void => {
    readyTimer = timers.setTimeout(() => {
      readyTimer = undefined;
      if (unconfirmed !== undefined) takeOver();
    }, READY_TIMEOUT_MS);
  };

  let spawned = false;
  /**
   * Start the worker with the first write, in the engine's task: made (a Blob URL, a thread: 10 ms in Chromium) in the
   * first background task instead, it started when a replay ended, in the page's first quiet moment.
   */
  const spawnOnce = (): void => {
    if (spawned || stopped) return;
    spawned = true;
    worker = start();
  };

  const post = (): void => {
    scheduled = undefined;
    if (stopped) return;
    spawnOnce();
    if (worker === undefined) {
      takeOver();
      return;
    }
    const started = clock();
    let posted = 0;
    while (posted < outbox.length) {
      const message = outbox[posted] as ToCacheWorker;
      try {
        worker.postMessage(message);
      } catch (thrown) {
        // What cannot be cloned (a function among a value's fields) cannot be stored either.
        fail(cacheError("SYNC_CACHE_UNAVAILABLE", `a change could not be sent to the cache's worker (${thrown instanceof Error ? thrown.message : String(thrown)})`, thrown));
        return;
      }
      posted += 1;
      unconfirmed?.push(message);
      if (message.type === "open") awaitReady();
      if (message.type === "note") {
        queuedChanges -= message.count;
        postedChanges += message.count;
      }
      if (clock() - started >= POST_SLICE_MS) break;
    }
    // What was posted is the worker's now: the page keeps only what waits.
    outbox.splice(0, posted);
    if (outbox.length === 0) urgent = false;
    else schedule();
  };
  const schedule = (): void => {
    if (outbox.length > MAX_WAITING_MESSAGES) urgent = true;
    // A background task already queued is overtaken by an urgent one when the outbox became urgent meanwhile.
    if (scheduled === "urgent" || (scheduled === "background" && !urgent)) return;
    scheduled = urgent ? "urgent" : "background";
    const mine = (token += 1);
    tasks.post(() => {
      if (mine === token) post();
    }, urgent);
  };
  const send = (message: ToCacheWorker): void => {
    spawnOnce();
    outbox.push(message);
    if (message.type === "note") queuedChanges += message.count;
    schedule();
  };

  const receive = (message: FromCacheWorker): void => {
    switch (message.type) {
      case "ready":
        unconfirmed = undefined;
        if (readyTimer !== undefined) timers.clearTimeout(readyTimer);
        readyTimer = undefined;
        worker?.release?.();
        return;
      case "flushed": {
        const totals = message.counters;
        counters.flushes = base.flushes + totals.flushes;
        counters.writeSlices = base.writeSlices + totals.writeSlices;
        counters.entitiesWritten = base.entitiesWritten + totals.entitiesWritten;
        counters.recordsWritten = base.recordsWritten + totals.recordsWritten;
        counters.bytesWritten = base.bytesWritten + totals.bytesWritten;
        counters.longestWriteSliceMs = Math.max(base.longestWriteSliceMs, totals.longestWriteSliceMs);
        if (totals.watermarkWritten !== undefined) counters.watermarkWritten = totals.watermarkWritten;
        reported = message.pending;
        postedChanges = 0;
        onFlushed?.();
        return;
      }
      case "flush-done":
        reported = message.pending;
        postedChanges = 0;
        waiting.get(message.id)?.();
        waiting.delete(message.id);
        return;
      case "failed":
        fail(new SyncError(message.code.startsWith("SYNC_CACHE_") ? (message.code as SyncErrorCode) : "SYNC_CACHE_UNAVAILABLE", message.message));
    }
  };

  // First in line, but posted (and the worker started) only with the first write: a tab that never writes makes none.
  outbox.push({ type: "open", name: connection.name, identity: connection.identity, writer: writerOptions });
  // The page's cache failed or closed: the worker's connection must not outlive it (a deleted cache stays deleted).
  forget = connection.onDropped?.(stop) ?? forget;

  const usable = (): boolean => !stopped && connection.usable();
  return {
    note(changes: readonly AdmittedChange[]) {
      if (changes.length === 0) return;
      if (local !== undefined) local.note(changes);
      else if (usable()) {
        for (let from = 0; from < changes.length; from += CHANGES_PER_MESSAGE) {
          const part = from === 0 && changes.length <= CHANGES_PER_MESSAGE ? changes : changes.slice(from, from + CHANGES_PER_MESSAGE);
          let text: string;
          try {
            text = encodeNote(part);
          } catch (thrown) {
            // A value JSON cannot hold (a bigint, a cycle: a custom client's) cannot be stored either (entity-row.ts).
            fail(cacheError("SYNC_CACHE_UNAVAILABLE", `a change could not be encoded for the cache's worker (${thrown instanceof Error ? thrown.message : String(thrown)})`, thrown));
            return;
          }
          send({ type: "note", text, count: part.length });
        }
      }
    },
    noteWatermark(executedAt) {
      if (local !== undefined) local.noteWatermark(executedAt);
      else if (usable()) send({ type: "watermark", executedAt });
    },
    flush() {
      if (local !== undefined) return local.flush();
      if (!usable()) return Promise.resolve();
      const id = (nextFlush += 1);
      return new Promise<void>((resolve) => {
        waiting.set(id, resolve);
        // Someone waits (a hello from another tab, a test): post now, not behind the page's other work.
        urgent = true;
        send({ type: "flush", id });
      });
    },
    /**
     * An estimate, 0 once everything is committed: the entities the worker held at its last report, plus the changes
     * posted since and those not posted yet.
     */
    get pending() {
      return local?.pending ?? reported + postedChanges + queuedChanges;
    },
    close() {
      local?.close();
      stop();
    },
  };
}

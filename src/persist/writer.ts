import type { AdmittedChange } from "../core/ports";
import { yieldTurn, type CacheConnection } from "./connection";
import { DirtySet, type BucketGroup } from "./dirty-set";
import { classifyStorageError } from "./storage-errors";
import { writeSlice, writeWatermark } from "./write-slice";

export interface CacheWriterOptions {
  /** Main-thread time one write slice aims at (ms); a slice always writes at least one entity. @default 4 */
  readonly sliceBudgetMs?: number;
  /**
   * Least time from the end of one flush to the start of the next (ms): a steady stream is written in batches, a burst
   * once. `flush()` does not wait for it. @default 250
   */
  readonly flushIntervalMs?: number;
  /**
   * What raises the watermark: `"changes"`, the newest block time among the changes written; `"explicit"`, only
   * `noteWatermark` (when the engine knows everything up to a time is in, e.g. after a replay: pages land in any order).
   * @default "changes"
   */
  readonly watermark?: "changes" | "explicit";
  /** A flush committed (its watermark included): read the cache's counters for what it wrote. */
  readonly onFlushed?: () => void;
}

/** The cache's one writer (in the leader tab): fed after each drain, writing behind the engine's back. */
export interface CacheWriter {
  /** Merge admitted changes into the dirty set and schedule a flush. Synchronous, never throws, never waits for storage. */
  note(changes: readonly AdmittedChange[]): void;
  /** Raise the watermark the next flush writes (block time, seconds), when the engine knows one the changes do not show. */
  noteWatermark(executedAt: number): void;
  /**
   * Write everything noted before this call now, without waiting for the interval. Resolves once it is committed, or
   * once the cache has failed (reported through `onError`) or the writer was closed: never rejects.
   */
  flush(): Promise<void>;
  /** Entities noted and not yet committed. */
  readonly pending: number;
  /** Stop writing: what is noted and not yet committed is dropped (the watermark on disk still tells the truth). */
  close(): void;
}

const READ_AHEAD_FIRST = 64;
const READ_AHEAD_MAX = 2_048;
const SLICES_IN_FLIGHT = 2;

/**
 * A writer that never blocks: changes merge into a dirty set (one entry per entity, however often it changed); a
 * flush takes the set whole and writes it in slices of about `sliceBudgetMs` of main-thread work, one transaction
 * each, with a turn of the event loop between (the next slice prepared while one commits); the watermark follows in a
 * transaction of its own once every slice committed. Flushes are at most one per
 * `flushIntervalMs`; a storage failure is reported once (the connection's failure) and stops the writer.
 */
export function createCacheWriter(connection: CacheConnection, options: CacheWriterOptions = {}): CacheWriter {
  const { timers, counters, failure } = connection;
  const budget = options.sliceBudgetMs ?? 4;
  const interval = options.flushIntervalMs ?? 250;
  const fromChanges = options.watermark !== "explicit";
  const dirty = new DirtySet(true);
  let watermarkAt = -1;
  let noted = 0;
  let flushed = 0;
  let inFlight = 0;
  let readAhead = READ_AHEAD_FIRST;
  let lastFlushEnd = timers.now();
  let timer: unknown;
  let running: Promise<void> | undefined;
  let closed = false;
  const active = (): boolean => !closed && connection.usable();
  // A cache deleted or upgraded from elsewhere (clearPersistedSync on logout, another tab) can never be written: what
  // is held for it goes, and nothing more is taken (it grew into a second copy of the world, for the whole session).
  const forget = connection.onDropped?.(() => void dirty.take()) ?? (() => undefined);

  /** One flush: take what is dirty, write it slice by slice; the generation it covers counts as flushed at the end. */
  const cycle = async (): Promise<void> => {
    const generation = noted;
    inFlight = dirty.size;
    const queue: BucketGroup[] = dirty.takeGroups();
    let at = 0;
    const newest = Math.max(fromChanges ? dirty.newestAt : -1, watermarkAt);
    const watermark = newest >= 0 ? newest : undefined;
    // Slices whose transaction has not committed yet: the next slice is prepared while they commit (a commit is a
    // round trip to the browser's storage process, longer than a slice's own work).
    const committing: Array<Promise<void>> = [];
    try {
      // A flush with nothing to write (a watermark only) goes straight to the watermark.
      while (at < queue.length) {
        if (!active()) return;
        const left = queue.length - at;
        const outcome = await writeSlice(connection, queue, at, readAhead, budget);
        at += outcome.written;
        committing.push(outcome.committed);
        if (committing.length > SLICES_IN_FLIGHT) await committing.shift();
        inFlight -= outcome.entities;
        // Read as many as were written (reads beyond the budget are wasted), and more only after a slice wrote all it
        // read in under half its budget: asking for the reads is part of the slice, and thousands of them would block
        // by themselves. A small flush says nothing about a big one, so it never grows the read-ahead.
        if (outcome.written < left && outcome.written < readAhead) readAhead = Math.max(1, outcome.written);
        else if (outcome.written === readAhead && outcome.spentMs < budget / 2) readAhead = Math.min(READ_AHEAD_MAX, readAhead * 2);
        if (at < queue.length) await yieldTurn(timers);
      }
      for (const commit of committing.splice(0)) await commit;
      if (!active()) return;
      if (watermark !== undefined) await writeWatermark(connection, watermark);
      flushed = generation;
      counters.flushes += 1;
      options.onFlushed?.();
    } catch (thrown) {
      failure.fail(classifyStorageError(thrown, "writing the cache"));
    } finally {
      inFlight = 0;
      lastFlushEnd = timers.now();
    }
  };

  const start = (): Promise<void> => {
    running ??= cycle().finally(() => {
      running = undefined;
      if (noted > flushed) schedule();
    });
    return running;
  };

  const schedule = (): void => {
    if (timer !== undefined || running !== undefined || !active()) return;
    const delay = Math.max(0, lastFlushEnd + interval - timers.now());
    timer = timers.setTimeout(() => {
      timer = undefined;
      if (active()) void start();
    }, delay);
  };

  return {
    note(changes) {
      if (!active() || changes.length === 0) return;
      dirty.note(changes);
      noted += 1;
      schedule();
    },
    noteWatermark(executedAt) {
      if (!active() || !(executedAt > watermarkAt)) return;
      watermarkAt = executedAt;
      noted += 1;
      schedule();
    },
    async flush() {
      const target = noted;
      if (timer !== undefined) {
        timers.clearTimeout(timer);
        timer = undefined;
      }
      while (flushed < target && active()) await (running ?? start());
    },
    get pending() {
      return dirty.size + inFlight;
    },
    close() {
      closed = true;
      forget();
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
    },
  };
}

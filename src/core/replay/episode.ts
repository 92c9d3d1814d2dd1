import type { Timers } from "../clock";
import { SyncError, toSyncError } from "../errors";
import { backoffDelay, type BackoffConfig } from "../guard/backoff";
import type { SyncEvent } from "../events";
import type { GuardEvent, GuardState } from "../guard/reducer";
import type { CoreLogger, IntakeSink, SyncSource } from "../ports";
import type { PendingStore } from "../pending-store";
import type { LedgerScope } from "../types";
import type { Sleeper } from "../util/retry";
import type { SnapshotTracker } from "./snapshot";
import type { ReplayStreams } from "./streams";

/** What one replay works with: the pipeline builds these once; the replay owns none of them. */
export interface ReplayDeps {
  readonly source: SyncSource;
  readonly streams: ReplayStreams;
  /** Where the streams write (the intake's stream sink). */
  readonly streamSink: IntakeSink;
  /** The pending store the pages go into, and the drain that empties it. */
  readonly store: PendingStore;
  flush(): Promise<void>;
  readonly snapshot: SnapshotTracker;
  readonly timers: Timers;
  readonly log: CoreLogger;
  readonly sleeper: Sleeper;
  readonly pageLimit: number;
  readonly maxAttempts: number;
  readonly backoff: Partial<BackoffConfig>;
  readonly random: () => number;
  dispatch(event: GuardEvent): GuardState;
  emit(event: SyncEvent): void;
  isCancelled(): boolean;
  /** Remove what the whole snapshot lacks. */
  reconcile(): Promise<void>;
  /**
   * The warm start (a persisted cache's world into RECS), given only to the boot: it runs while the streams subscribe,
   * and the first page waits for it, so pages land against the cached versions.
   */
  warmStart?(): Promise<void> | undefined;
  /**
   * Read only what changed since a trusted watermark (see replayIncrementally), on a first attempt: `undefined` when a
   * full snapshot must be paged. When it stands, there is nothing to reconcile (its count confirmed no removal).
   */
  incremental?(): Promise<{ readonly pages: number; readonly entities: number } | undefined>;
  /** Newest `executed_at` the client has received, to compare with the server's watermark. */
  seenExecutedAt(): number;
  onDone(report: { readonly ms: number; readonly pages: number; readonly entities: number; readonly startedAt: number | undefined }): void;
}

/** Per-scope paging progress kept across the attempts of one replay, so a retry resumes from its cursor. */
interface ScopeProgress {
  cursor: string | undefined;
  done: boolean;
  readonly cursors: Set<string>;
}

/**
 * One replay (boot is the first), the one routine for boot and recovery: subscribe and buffer first, page the synced
 * scope by cursor through the same queue and ledger, reconcile, release the buffer, check the client reached the
 * server's watermark. A failed attempt is retried after backoff from the cursor it stopped at (while its streams and
 * buffer are intact); past the budget the guard reaches `error`.
 */
export async function runReplay(deps: ReplayDeps, reason: string, forced: boolean): Promise<void> {
  if (deps.dispatch({ type: "replayStarted", reason, forced }).inFlight !== true) return;
  deps.emit({ type: "replay_started", at: deps.timers.now(), reason, forced, attempt: 1 });
  const progress = new Map<LedgerScope, ScopeProgress>(deps.source.scopes.map((scope) => [scope, { cursor: undefined, done: false, cursors: new Set() }]));
  let attempt = 0;
  let pages = 0;
  let entities = 0;
  const warm = deps.warmStart?.();
  for (;;) {
    attempt += 1;
    const startedAt = deps.timers.now();
    try {
      if (attempt === 1 || !deps.streams.canResume()) {
        // A fresh subscription means a fresh buffer: what the old one held is gone, so page everything again.
        await deps.streams.resubscribe(deps.streamSink);
        restartPaging(progress, deps.snapshot);
      }
      await warm;
      assertLive(deps);
      // Start from an empty queue, so a page never overflows it.
      await deps.flush();
      assertLive(deps);
      deps.dispatch({ type: "connection", connection: "open" });
      // A watermark that cannot be read (or hangs past its deadline) only skips the check: the replay goes on.
      const watermark = await deps.source.watermark?.().catch(() => undefined);
      const quick = attempt === 1 ? await deps.incremental?.() : undefined;
      assertLive(deps);
      if (quick !== undefined) {
        pages += quick.pages;
        entities += quick.entities;
        deps.dispatch({ type: "replayProgress", pages, entities });
      }
      for (const [scope, state] of quick === undefined ? progress : []) {
        while (!state.done) {
          const page = await deps.source.fetchPage(scope, state.cursor, deps.pageLimit, deps.snapshot.sink, () => (deps.store.size >= deps.pageLimit ? deps.flush() : undefined));
          assertLive(deps);
          await deps.flush();
          assertLive(deps);
          pages += 1;
          entities += page.rows;
          deps.dispatch({ type: "replayProgress", pages, entities });
          advance(state, scope, page.nextCursor);
        }
      }
      if (quick === undefined) await deps.reconcile();
      assertLive(deps);
      await deps.streams.release(deps.store, deps.flush);
      assertLive(deps);
      if (watermark !== undefined && deps.seenExecutedAt() < watermark.newestExecutedAt) {
        // Start the next attempt from scratch: the pages were read but something newer is still missing.
        restartPaging(progress, deps.snapshot);
        throw new SyncError("SYNC_TORII_ERROR", `The replay ended behind the server's watermark (${deps.seenExecutedAt()} < ${watermark.newestExecutedAt}).`);
      }
      const ms = deps.timers.now() - startedAt;
      deps.onDone({ ms, pages, entities, startedAt: watermark?.newestExecutedAt });
      deps.dispatch({ type: "replaySucceeded" });
      deps.emit({ type: "replay_finished", at: deps.timers.now(), durationMs: ms, pages, entities });
      return;
    } catch (thrown) {
      if (deps.isCancelled()) return;
      const error = toSyncError(thrown, "SYNC_TORII_ERROR", "Replay failed");
      if (error.code === "SYNC_REPEATED_CURSOR") restartPaging(progress, deps.snapshot);
      // Stamped before the dispatch: a spent budget emits `budget_spent` from it, which must not read earlier than its cause.
      const now = deps.timers.now();
      const after = deps.dispatch({ type: "replayFailed", error, maxAttempts: deps.maxAttempts });
      // An onStateChange may cancel the pipeline inside that transition: nothing more, no backoff timer.
      if (deps.isCancelled()) return;
      deps.emit({ type: "replay_failed", at: now, durationMs: now - startedAt, code: error.code, message: error.message, attempt, budgetSpent: after.status === "error" });
      // The state's count, so the log and the UI say the same number.
      deps.log.log("warn", `replay failed (${after.replayAttempts} of ${deps.maxAttempts} in a row${after.status === "error" ? ", budget spent" : ""}): ${error.message}`, { code: error.code });
      if (after.status === "error") {
        // Give up loudly, but keep what the stream brings: live updates still land while the user decides.
        await deps.streams.release(deps.store, deps.flush).catch(() => undefined);
        return;
      }
      await deps.sleeper.sleep(backoffDelay(attempt, deps.backoff, deps.random));
      if (deps.isCancelled()) return;
      const retry = `retry ${attempt + 1} after: ${error.message}`;
      deps.dispatch({ type: "replayStarted", reason: retry, forced: false });
      deps.emit({ type: "replay_started", at: deps.timers.now(), reason: retry, forced: false, attempt: attempt + 1 });
    }
  }
}

function advance(state: ScopeProgress, scope: LedgerScope, next: string | undefined): void {
  if (next === undefined) {
    state.done = true;
    return;
  }
  if (state.cursors.has(next)) throw new SyncError("SYNC_REPEATED_CURSOR", `Torii returned cursor ${next.slice(0, 40)} twice while paging ${scope}; stopping.`);
  state.cursors.add(next);
  state.cursor = next;
}

/** Forget the cursors and what was seen: the next attempt pages from the start. */
function restartPaging(progress: ReadonlyMap<LedgerScope, ScopeProgress>, snapshot: SnapshotTracker): void {
  for (const state of progress.values()) {
    state.cursor = undefined;
    state.done = false;
    state.cursors.clear();
  }
  snapshot.restart();
}

function assertLive(deps: ReplayDeps): void {
  if (deps.isCancelled()) throw new SyncError("SYNC_CANCELLED", "The pipeline was cancelled during a replay.");
}

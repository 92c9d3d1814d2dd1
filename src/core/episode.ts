import type { Timers } from "./clock";
import { SyncError, toSyncError } from "./errors";
import { backoffDelay, type BackoffConfig } from "./guard/backoff";
import type { GuardEvent, GuardState } from "./guard/reducer";
import type { TaggedLogger } from "../telemetry/logger";
import type { SyncSource } from "./source-types";
import type { LedgerScope } from "./types";

/** What a replay needs from the pipeline: the pipeline owns the queue, ledger, streams and buffer. */
export interface EpisodeHost {
  readonly source: SyncSource;
  readonly timers: Timers;
  readonly log: TaggedLogger;
  readonly pageLimit: number;
  readonly maxAttempts: number;
  readonly backoff: Partial<BackoffConfig>;
  readonly random: () => number;
  dispatch(event: GuardEvent): GuardState;
  isCancelled(): boolean;
  /** Cancel the streams and subscribe again, routing updates into a fresh buffer. */
  resubscribe(): Promise<void>;
  /** Whether this episode's streams and buffer are intact, so a retry may resume paging from its cursor. */
  canResume(): boolean;
  /** Feed one snapshot entity into the main queue; returns its id when it had a valid one. */
  ingestSnapshot(raw: unknown, scope: LedgerScope): string | undefined;
  flush(): Promise<void>;
  /** Remove what the finished full snapshot lacks. */
  reconcile(seen: ReadonlyMap<LedgerScope, ReadonlySet<string>>): Promise<void>;
  /** Move the buffer behind the snapshot and drain; the stream feeds the queue directly afterwards. */
  releaseBuffer(): Promise<void>;
  /** A watermark the ledger must reach before the replay counts as done (from the probe), if any. */
  watermark(): Promise<number | undefined>;
  seenExecutedAt(): number;
  onReplayDone(ms: number): void;
  /** Wait between attempts; resolves early (and leaves no timer) if the pipeline is cancelled. */
  sleep(ms: number): Promise<void>;
}

/** Per-scope paging progress kept across the attempts of one episode, so a retry resumes from its cursor. */
interface ScopeProgress {
  cursor: string | undefined;
  done: boolean;
  readonly cursors: Set<string>;
  readonly seen: Set<string>;
}

/**
 * One recovery episode (boot is the first): subscribe and buffer first, page the synced scope by cursor through the
 * same queue and ledger, reconcile, release the buffer, check the ledger reached the watermark. A failed attempt is
 * retried after backoff from the cursor it stopped at; past the budget the guard reaches `error`.
 */
export async function runEpisode(host: EpisodeHost, reason: string, forced: boolean): Promise<void> {
  if (host.dispatch({ type: "replayStarted", reason, forced }).inFlight !== true) return;
  const progress = new Map<LedgerScope, ScopeProgress>(host.source.scopes.map((scope) => [scope, { cursor: undefined, done: false, cursors: new Set(), seen: new Set() }]));
  let attempt = 0;
  let pages = 0;
  let entities = 0;
  for (;;) {
    attempt += 1;
    const startedAt = host.timers.now();
    try {
      if (attempt === 1 || !host.canResume()) {
        // A fresh subscription means a fresh buffer: what the old one held is gone, so page everything again.
        await host.resubscribe();
        restartPaging(progress);
      }
      assertLive(host);
      // Start from an empty queue, so a page never overflows it.
      await host.flush();
      assertLive(host);
      host.dispatch({ type: "connection", connection: "open" });
      const watermark = await host.watermark();
      for (const [scope, state] of progress) {
        while (!state.done) {
          const page = await host.source.fetchPage(scope, state.cursor, host.pageLimit, "replay");
          assertLive(host);
          for (const raw of page.items) {
            const id = host.ingestSnapshot(raw, scope);
            if (id !== undefined) state.seen.add(id);
          }
          await host.flush();
          assertLive(host);
          pages += 1;
          entities += page.items.length;
          host.dispatch({ type: "replayProgress", pages, entities });
          if (page.nextCursor === undefined) state.done = true;
          else if (state.cursors.has(page.nextCursor)) {
            throw new SyncError("SYNC_REPEATED_CURSOR", `Torii returned cursor ${page.nextCursor.slice(0, 40)} twice while paging ${scope}; stopping.`);
          } else {
            state.cursors.add(page.nextCursor);
            state.cursor = page.nextCursor;
          }
        }
      }
      await host.reconcile(new Map([...progress].map(([scope, state]) => [scope, state.seen])));
      assertLive(host);
      await host.releaseBuffer();
      assertLive(host);
      if (watermark !== undefined && host.seenExecutedAt() < watermark) {
        // Start the next attempt from scratch: the pages were read but something newer is still missing.
        restartPaging(progress);
        throw new SyncError("SYNC_TORII_ERROR", `The replay ended behind the server's watermark (${host.seenExecutedAt()} < ${watermark}).`);
      }
      host.onReplayDone(host.timers.now() - startedAt);
      host.dispatch({ type: "replaySucceeded" });
      return;
    } catch (thrown) {
      if (host.isCancelled()) return;
      const error = toSyncError(thrown, "SYNC_TORII_ERROR", "Replay failed");
      if (error.code === "SYNC_REPEATED_CURSOR") restartPaging(progress);
      const after = host.dispatch({ type: "replayFailed", error, maxAttempts: host.maxAttempts });
      // The state's count, so the log and the UI say the same number.
      host.log.warn(`replay failed (${after.replayAttempts} of ${host.maxAttempts} in a row${after.status === "error" ? ", budget spent" : ""}): ${error.message}`);
      if (after.status === "error") {
        // Give up loudly, but keep what the stream brings: live updates still land while the user decides.
        await host.releaseBuffer().catch(() => undefined);
        return;
      }
      await host.sleep(backoffDelay(attempt, host.backoff, host.random));
      if (host.isCancelled()) return;
      host.dispatch({ type: "replayStarted", reason: `retry ${attempt + 1} after: ${error.message}`, forced: false });
    }
  }
}

/** Forget the cursors and what was seen: the next attempt pages from the start. */
function restartPaging(progress: ReadonlyMap<LedgerScope, ScopeProgress>): void {
  for (const state of progress.values()) {
    state.cursor = undefined;
    state.done = false;
    state.cursors.clear();
    state.seen.clear();
  }
}

function assertLive(host: EpisodeHost): void {
  if (host.isCancelled()) throw new SyncError("SYNC_CANCELLED", "The pipeline was cancelled during a replay.");
}

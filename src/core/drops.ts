/**
 * Why an update (or part of one) did not reach RECS. Every place that drops something records it through one
 * `DropRecorder`, so `metrics().droppedByReason` accounts for everything received and not applied.
 * - `stale`: older than what the ledger already applied to that component (or member).
 * - `superseded`: older than a change already waiting in the queue for the same component (or member).
 * - `unknown_model`: a model no component binds (the app syncs a subset on purpose).
 * - `unknown_member`: a member the component's schema lacks (a newer contract than the client's code).
 * - `malformed`: a payload that could not be read (a `SyncError` code says what; see `rejectedByCode`).
 * - `unconvertible`: a member whose value cannot be converted: the component's whole write is kept out.
 * - `overflow`: the queue passed its high-water mark and its backlog went (a replay follows).
 * - `cancelled`: arrived after `cancel()`.
 * - `closed_stream`: arrived on a stream the pipeline had already closed (during a resubscribe).
 */
export type DropReason = "stale" | "superseded" | "unknown_model" | "unknown_member" | "malformed" | "unconvertible" | "overflow" | "cancelled" | "closed_stream";

export const DROP_REASONS: readonly DropReason[] = ["stale", "superseded", "unknown_model", "unknown_member", "malformed", "unconvertible", "overflow", "cancelled", "closed_stream"];

export type DropCounts = Record<DropReason, number>;

export interface DropRecorder {
  /** Record `count` updates (or component changes) dropped for `reason`. */
  drop(reason: DropReason, count?: number): void;
  readonly counts: Readonly<DropCounts>;
}

export function createDropRecorder(): DropRecorder {
  const counts = Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])) as DropCounts;
  return {
    counts,
    drop(reason, count = 1) {
      counts[reason] += count;
    },
  };
}

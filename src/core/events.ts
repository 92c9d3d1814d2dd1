import type { Evidence } from "./guard/reducer";
import type { SyncState } from "./state";
import { createListeners, type Listeners } from "./util/listeners";

/** What probing concluded (or that it failed, or timed out). */
export type ProbeOutcome = "healthy" | "ahead" | "partial" | "blind" | "failed" | "timeout";

/**
 * What happens in a pipeline, as it happens: the typed event stream sinks, the logger and the inspector read. Each
 * event carries `at` (the injected clock, ms). Nothing in it is personal: ids of entities, model names, codes.
 */
export type SyncEvent =
  | { readonly type: "state"; readonly at: number; readonly state: SyncState; readonly previous: SyncState }
  | { readonly type: "replay_started"; readonly at: number; readonly reason: string; readonly forced: boolean; readonly attempt: number }
  | { readonly type: "replay_finished"; readonly at: number; readonly durationMs: number; readonly pages: number; readonly entities: number }
  | { readonly type: "replay_failed"; readonly at: number; readonly durationMs: number; readonly code: string; readonly message: string; readonly attempt: number; readonly budgetSpent: boolean }
  | { readonly type: "evidence"; readonly at: number; readonly evidence: Evidence; readonly detail: string }
  | { readonly type: "gap"; readonly at: number }
  | { readonly type: "probe"; readonly at: number; readonly reason: string; readonly outcome: ProbeOutcome; readonly detail?: string }
  | { readonly type: "overflow"; readonly at: number; readonly dropped: number }
  | { readonly type: "rejected"; readonly at: number; readonly code: string; readonly model?: string; readonly entityId?: string; readonly message: string }
  | { readonly type: "budget_spent"; readonly at: number; readonly attempts: number; readonly code: string }
  | { readonly type: "hard_reload_requested"; readonly at: number }
  | CacheSyncEvent;

export type SyncEventType = SyncEvent["type"];

/** What a persisted cache did (the `persist` option): a warm start's hit or miss, a storage failure. */
export type CacheSyncEvent =
  | { readonly type: "cache_hit"; readonly at: number; readonly entities: number; readonly durationMs: number; readonly ageMs: number | undefined }
  | { readonly type: "cache_miss"; readonly at: number }
  | { readonly type: "cache_failed"; readonly at: number; readonly code: string; readonly message: string };

/** The pipeline's event stream: `emit` from the rooms that see things happen, `subscribe` for whoever listens. */
export type EventStream = Listeners<[SyncEvent]>;

export function createEventStream(): EventStream {
  return createListeners<[SyncEvent]>();
}

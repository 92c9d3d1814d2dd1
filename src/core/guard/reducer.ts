import type { SyncError } from "../errors";
import { INITIAL_SYNC_STATE, type ConnectionState, type SyncState } from "../state";

/** Why the guard believes the client may have missed updates. */
export type Evidence =
  | "probe_failed"
  | "probe_timeout"
  | "server_ahead"
  | "gap"
  | "subscribe_timeout"
  | "visible_after_hidden"
  | "online"
  | "overflow"
  | "stream_error";

export type GuardEvent =
  | { readonly type: "replayStarted"; readonly reason: string; readonly forced: boolean }
  | { readonly type: "replayProgress"; readonly pages: number; readonly entities: number }
  | { readonly type: "replaySucceeded" }
  | { readonly type: "replayFailed"; readonly error: SyncError; readonly maxAttempts: number }
  | { readonly type: "evidence"; readonly evidence: Evidence; readonly detail?: string }
  | { readonly type: "connection"; readonly connection: ConnectionState }
  | { readonly type: "applied"; readonly at: number }
  | { readonly type: "lag"; readonly lagMs: number }
  | { readonly type: "hydrated"; readonly ageMs: number | undefined }
  | { readonly type: "cancelled" };

export type GuardEventType = GuardEvent["type"];

/** The public state plus what the reducer needs to refuse impossible events. */
export interface GuardState extends SyncState {
  /** A replay is running (in `error`, a forced retry runs without leaving `error` until it succeeds). */
  readonly inFlight: boolean;
}

export const INITIAL_GUARD_STATE: GuardState = { ...INITIAL_SYNC_STATE, inFlight: false };

/**
 * The status machine: `idle → replaying (boot) → streaming ⇄ lagging → replaying → streaming`, and `error` once the
 * replay budget is spent. `error` is left only by a successful replay (a forced one) or a restart (`cancelled`).
 * The budget counts failures in a row: `replayAttempts` is how many replays failed since the last success, so boot
 * gets the whole budget and any number of successful recoveries never spends it.
 * Pure: same state and event, same result; events that make no sense in a state return the state unchanged.
 */
export function reduceGuard(state: GuardState, event: GuardEvent): GuardState {
  switch (event.type) {
    case "replayStarted": {
      if (state.inFlight) return state;
      // In `error` nothing replays by itself: only a forced attempt (forceReplay(), the network or the client back) may.
      if (state.status === "error" && !event.forced) return state;
      const status = state.status === "error" ? "error" : "replaying";
      return { ...state, inFlight: true, status, replayProgress: { pages: 0, entities: 0 }, reason: event.reason };
    }
    case "replayProgress":
      if (!state.inFlight) return state;
      return { ...state, replayProgress: { pages: event.pages, entities: event.entities } };
    case "replaySucceeded":
      if (!state.inFlight) return state;
      // Caught up: whatever lag a probe measured before the replay is gone.
      return { ...state, inFlight: false, status: "streaming", replayAttempts: 0, lagMs: 0, replayProgress: undefined, lastError: undefined, canHardReload: false, fromCache: false, cacheAgeMs: undefined, reason: "replay complete" };
    case "replayFailed": {
      if (!state.inFlight) return state;
      const replayAttempts = state.replayAttempts + 1;
      const spent = state.status === "error" || replayAttempts >= event.maxAttempts;
      return {
        ...state,
        inFlight: false,
        replayAttempts,
        status: spent ? "error" : "lagging",
        replayProgress: undefined,
        lastError: event.error,
        canHardReload: spent,
        reason: spent ? `replay budget spent: ${event.error.message}` : `replay failed, retrying: ${event.error.message}`,
      };
    }
    case "evidence":
      if (state.status !== "streaming") return state;
      return { ...state, status: "lagging", reason: event.detail === undefined ? event.evidence : `${event.evidence}: ${event.detail}` };
    case "connection":
      return state.connection === event.connection ? state : { ...state, connection: event.connection };
    case "applied":
      return state.lastAppliedAt === event.at ? state : { ...state, lastAppliedAt: event.at };
    case "lag":
      return state.lagMs === event.lagMs ? state : { ...state, lagMs: event.lagMs };
    case "hydrated":
      // The cached world is in RECS; the replay running confirms or corrects it.
      return { ...state, fromCache: true, cacheAgeMs: event.ageMs };
    case "cancelled":
      return { ...INITIAL_GUARD_STATE, lastAppliedAt: state.lastAppliedAt, reason: "cancelled" };
  }
}

/** The public view of a guard state. */
export function publicState(state: GuardState): SyncState {
  const { inFlight: _inFlight, ...rest } = state;
  return rest;
}

import type { SyncError } from "./errors";

export type SyncStatus = "idle" | "replaying" | "streaming" | "lagging" | "error";
export type ConnectionState = "connecting" | "open" | "closed";

export interface ReplayProgress {
  readonly pages: number;
  readonly entities: number;
}

/** What the UI reads. `status` and `connection` are separate fields: a replay can run on an open connection. */
export interface SyncState {
  readonly status: SyncStatus;
  readonly connection: ConnectionState;
  /** Wall-clock ms when an update last landed in RECS. */
  readonly lastAppliedAt: number | undefined;
  /** How far the client is behind the indexer, in ms, when known. */
  readonly lagMs: number;
  readonly replayAttempts: number;
  readonly replayProgress: ReplayProgress | undefined;
  readonly lastError: SyncError | undefined;
  /** Why the last transition happened, for logs and the inspector. */
  readonly reason: string;
  /** The replay budget is spent: the UI should offer a hard reload. */
  readonly canHardReload: boolean;
  /**
   * RECS shows the world the persisted cache held (a warm start, see the `persist` option), not yet confirmed by a
   * replay; false again once a replay completes.
   */
  readonly fromCache: boolean;
  /** How old that cached world was when it was loaded (ms), while `fromCache`. */
  readonly cacheAgeMs: number | undefined;
}

export const INITIAL_SYNC_STATE: SyncState = {
  status: "idle",
  connection: "closed",
  lastAppliedAt: undefined,
  lagMs: 0,
  replayAttempts: 0,
  replayProgress: undefined,
  lastError: undefined,
  reason: "created",
  canHardReload: false,
  fromCache: false,
  cacheAgeMs: undefined,
};

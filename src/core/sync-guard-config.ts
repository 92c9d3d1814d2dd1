import { MAX_DELAY_MS, MAX_PAGE_LIMIT, type OptionRange } from "./option-ranges";

/** Guard settings, each overridable on its own. */
export interface SyncGuardConfig {
  /** Silence after which the guard probes the server (silence alone never replays). @default 30_000 */
  readonly heartbeatTimeoutMs: number;
  /** How often the guard checks for silence. @default 5_000 */
  readonly heartbeatCheckIntervalMs: number;
  /**
   * A probe with no answer within this many ms is evidence of a stall (and starts a replay). Raise it when short
   * heartbeats meet a slow network or a busy main thread. @default min(heartbeatCheckIntervalMs, heartbeatTimeoutMs / 3)
   */
  readonly probeTimeoutMs?: number;
  /** Failed replays in a row before the status becomes `error`; a successful replay gives the whole budget back. @default 3 */
  readonly maxReplayAttempts: number;
  /** Entities per replay page. @default 40_000 */
  readonly replayPageLimit: number;
  /**
   * Without `toriiUrl`, entities per probe page: the probe rotates through the synced scope this many entities at a
   * time, one page per `heartbeatCheckIntervalMs` while the stream stays silent. @default 500
   */
  readonly probePageSize: number;
  /**
   * After each completed replay, tombstones older than this many seconds (block time) before the newest update seen are
   * forgotten, so memory stays bounded in long sessions. An update delayed longer than this could resurrect a deleted
   * component until the next replay. @default 3_600
   */
  readonly tombstoneHorizonSeconds: number;
}

export const SYNC_GUARD_DEFAULTS: SyncGuardConfig = {
  heartbeatTimeoutMs: 30_000,
  heartbeatCheckIntervalMs: 5_000,
  maxReplayAttempts: 3,
  replayPageLimit: 40_000,
  probePageSize: 500,
  tombstoneHorizonSeconds: 3_600,
};

/** The range of each setting (see `checkRanges`). */
export const GUARD_RANGES: { readonly [K in keyof SyncGuardConfig]-?: OptionRange } = {
  heartbeatTimeoutMs: { min: 0, above: true },
  heartbeatCheckIntervalMs: { min: 0, above: true, max: MAX_DELAY_MS },
  probeTimeoutMs: { min: 0, above: true, max: MAX_DELAY_MS, optional: true },
  maxReplayAttempts: { min: 1, integer: true },
  replayPageLimit: { min: 1, integer: true, max: MAX_PAGE_LIMIT },
  probePageSize: { min: 1, integer: true, max: MAX_PAGE_LIMIT },
  tombstoneHorizonSeconds: { min: 0 },
};

import { SyncError } from "./errors";

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

/** The range each setting must be in: checked before anything starts, so a typo fails at once, not as a replay storm. */
const RANGES: Record<keyof SyncGuardConfig, { readonly min: number; readonly integer: boolean }> = {
  heartbeatTimeoutMs: { min: Number.MIN_VALUE, integer: false },
  heartbeatCheckIntervalMs: { min: Number.MIN_VALUE, integer: false },
  probeTimeoutMs: { min: Number.MIN_VALUE, integer: false },
  maxReplayAttempts: { min: 1, integer: true },
  replayPageLimit: { min: 1, integer: true },
  probePageSize: { min: 1, integer: true },
  tombstoneHorizonSeconds: { min: 0, integer: false },
};

/** Throws SYNC_BAD_OPTION for a guard setting that is not a finite number in its range (`probeTimeoutMs` may be left out). */
export function checkGuardConfig(config: SyncGuardConfig): void {
  for (const [name, range] of Object.entries(RANGES) as [keyof SyncGuardConfig, (typeof RANGES)[keyof SyncGuardConfig]][]) {
    const value: unknown = config[name];
    if (value === undefined && name === "probeTimeoutMs") continue;
    const ok = typeof value === "number" && Number.isFinite(value) && value >= range.min && (!range.integer || Number.isInteger(value));
    if (ok) continue;
    const wanted = range.integer ? `a whole number ≥ ${range.min}` : range.min === 0 ? "a number ≥ 0" : "a number > 0";
    throw new SyncError("SYNC_BAD_OPTION", `guard.${name} must be ${wanted} (ms, counts and seconds are plain numbers), got ${typeof value === "string" ? JSON.stringify(value) : String(value)}.`);
  }
}

import { SyncError } from "./errors";

/** The longest delay `setTimeout` honours (2³¹ − 1 ms); browsers and Node fire a longer one immediately. */
export const MAX_DELAY_MS = 2_147_483_647;

/** The largest page Torii's `pagination.limit` holds (a uint32). */
export const MAX_PAGE_LIMIT = 4_294_967_295;

/**
 * Where a numeric setting must lie: at least `min` (above it when `above`), at most `max`, whole when `integer`.
 * `Infinity` passes where there is no `max` ("never": a horizon, a budget); a delay a timer waits is capped at
 * `MAX_DELAY_MS`, since a longer one fires at once.
 */
export interface OptionRange {
  readonly min: number;
  readonly above?: boolean;
  readonly max?: number;
  readonly integer?: boolean;
  /** May be left out (its default is derived elsewhere, or it is an optional argument). */
  readonly optional?: boolean;
}

/**
 * Throws SYNC_BAD_OPTION, naming the first setting of `group` (e.g. `guard.heartbeatTimeoutMs`) that is not a number
 * in its range. Checked before anything starts: a typo fails at once, not as a replay storm or a stuck drain.
 */
export function checkRanges<T extends object>(group: string, values: T, ranges: { readonly [K in keyof T]-?: OptionRange }): void {
  for (const name of Object.keys(ranges) as (keyof T & string)[]) {
    const range = ranges[name];
    const value: unknown = values[name];
    if (value === undefined && range.optional === true) continue;
    const inRange =
      typeof value === "number" &&
      !Number.isNaN(value) &&
      (range.above === true ? value > range.min : value >= range.min) &&
      (range.max === undefined || value <= range.max) &&
      (range.integer !== true || Number.isInteger(value) || value === Number.POSITIVE_INFINITY);
    if (inRange) continue;
    const bound = `${range.integer === true ? "a whole number" : "a number"} ${range.above === true ? ">" : "≥"} ${range.min}${range.max === undefined ? "" : ` and ≤ ${range.max}`}`;
    throw new SyncError("SYNC_BAD_OPTION", `${group}.${name} must be ${bound}, got ${typeof value === "string" ? JSON.stringify(value) : String(value)}.`);
  }
}

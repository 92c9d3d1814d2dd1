import { SyncError } from "../errors";
import { MAX_VERSION_MAJOR } from "../version";

/**
 * Torii writes block times as RFC 3339 text (`2026-12-03T10:00:00+00:00`); SQLite's own `YYYY-MM-DD HH:MM:SS` (UTC) and
 * unix seconds are read too. Only what a
 * version can hold is a timestamp (the decoder refuses the same for `executed_at`): a number such as JSON's `1e400`
 * (Infinity) or a twenty-digit string throws SYNC_PROBE_FAILED, and the caller skips the check it was for.
 */
export function parseSqlTimestamp(raw: unknown): number {
  if (raw === null || raw === undefined) return 0;
  if (typeof raw === "number") {
    if (isSeconds(raw)) return raw;
  } else if (typeof raw === "string") {
    if (/^\d+$/.test(raw)) {
      // Past 2^53 Number() rounds, and isSeconds refuses what is not exact.
      const seconds = Number(raw);
      if (isSeconds(seconds)) return seconds;
    } else {
      // UTC unless the text says otherwise, as SQLite reads it (Date.parse would take an ISO time without one as local).
      const parsed = Date.parse(`${raw.replace(" ", "T")}${/(Z|[+-]\d\d:?\d\d)$/i.test(raw) ? "" : "Z"}`);
      const seconds = Math.floor(parsed / 1000);
      if (isSeconds(seconds)) return seconds;
    }
  }
  const shown = typeof raw === "string" ? JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw) : String(raw);
  throw new SyncError("SYNC_PROBE_FAILED", `Cannot read ${shown} as a timestamp: expected whole seconds from 0 to ${MAX_VERSION_MAJOR}, RFC 3339 text, or SQLite's "YYYY-MM-DD HH:MM:SS".`);
}

function isSeconds(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value <= MAX_VERSION_MAJOR;
}

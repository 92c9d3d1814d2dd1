import { SyncError } from "../errors";

/** Torii's SQLite keeps timestamps as `YYYY-MM-DD HH:MM:SS` text (UTC); some setups keep unix seconds. */
export function parseSqlTimestamp(raw: unknown): number {
  if (raw === null || raw === undefined) return 0;
  if (typeof raw === "number") return raw;
  if (typeof raw === "string") {
    if (/^\d+$/.test(raw)) return Number(raw);
    const parsed = Date.parse(raw.includes("T") || raw.endsWith("Z") ? raw : `${raw.replace(" ", "T")}Z`);
    if (Number.isFinite(parsed)) return Math.floor(parsed / 1000);
  }
  throw new SyncError("SYNC_PROBE_FAILED", `Cannot read ${JSON.stringify(raw)} as a timestamp.`);
}

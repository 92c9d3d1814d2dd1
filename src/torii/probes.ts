import type { Timers } from "../core/clock";
import { SyncError, toSyncError } from "../core/errors";
import type { ToriiClientLike } from "./client-types";

/** The indexer's head as `getContracts` reports it for the world contract. */
export interface IndexerHead {
  readonly block: number;
  readonly timestamp: number;
}

/** What an SQL watermark query answers: the newest `executed_at` (seconds) and how many entities there are. */
export interface SqlWatermark {
  readonly newestExecutedAt: number;
  readonly count: number;
}

export interface SqlProbeOptions {
  /** Torii's base URL; the probe POSTs to `{url}/sql`. */
  readonly url: string;
  /**
   * A query answering one row with `newest` (executed_at of the newest entity in the synced scope) and `n` (entity
   * count). Narrow it to your clause's scope if you sync only part of the world.
   * @default "SELECT MAX(executed_at) AS newest, COUNT(*) AS n FROM entities"
   */
  readonly query?: string;
  /** Injected fetch (tests, SSR). @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
}

export const DEFAULT_WATERMARK_QUERY = "SELECT MAX(executed_at) AS newest, COUNT(*) AS n FROM entities";

/** Ask the indexer for its head (block and timestamp) through `getContracts`. */
export async function probeIndexerHead(client: ToriiClientLike, worldAddress: string | undefined): Promise<IndexerHead | undefined> {
  if (client.getContracts === undefined) return undefined;
  let answer: unknown;
  try {
    answer = await client.getContracts({ contract_addresses: worldAddress === undefined ? [] : [worldAddress], contract_types: ["WORLD"] });
  } catch (error) {
    throw toSyncError(error, "SYNC_PROBE_FAILED", "Asking Torii for the indexer head failed");
  }
  if (!Array.isArray(answer)) throw new SyncError("SYNC_PROBE_FAILED", "Torii answered getContracts without a list of contracts.");
  let head: IndexerHead | undefined;
  for (const contract of answer as Array<{ head?: unknown; last_block_timestamp?: unknown }>) {
    const block = Number(contract.head);
    const timestamp = Number(contract.last_block_timestamp ?? 0);
    if (Number.isFinite(block) && (head === undefined || block > head.block)) head = { block, timestamp: Number.isFinite(timestamp) ? timestamp : 0 };
  }
  return head;
}

/** Run the watermark query against Torii's `/sql` endpoint. */
export async function probeSqlWatermark(options: SqlProbeOptions): Promise<SqlWatermark> {
  const fetcher = options.fetch ?? globalThis.fetch;
  let rows: unknown;
  try {
    const response = await fetcher(`${options.url.replace(/\/$/, "")}/sql`, { method: "POST", body: options.query ?? DEFAULT_WATERMARK_QUERY });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    rows = await response.json();
  } catch (error) {
    throw toSyncError(error, "SYNC_PROBE_FAILED", "The SQL watermark probe failed");
  }
  const row = Array.isArray(rows) ? (rows[0] as { newest?: unknown; n?: unknown } | undefined) : undefined;
  if (row === undefined) throw new SyncError("SYNC_PROBE_FAILED", "The SQL watermark query returned no row; it must answer one row with `newest` and `n`.");
  return { newestExecutedAt: parseSqlTimestamp(row.newest), count: Number(row.n ?? 0) };
}

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

/** Run a probe with a deadline: a probe that hangs is itself evidence. */
export function withDeadline<T>(run: () => Promise<T>, timeoutMs: number, timers: Timers): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = timers.setTimeout(() => reject(new SyncError("SYNC_PROBE_FAILED", `The probe got no answer within ${timeoutMs} ms.`)), timeoutMs);
    run().then(
      (value) => {
        timers.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        timers.clearTimeout(timer);
        reject(toSyncError(error, "SYNC_PROBE_FAILED", "Probe failed"));
      },
    );
  });
}

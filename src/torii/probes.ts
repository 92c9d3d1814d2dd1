import { systemTimers, type Timers } from "../core/clock";
import { withDeadline } from "../core/deadline";
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
  /** Torii's base URL (the one the app built its ToriiClient with); the probe POSTs to `{url}/sql`. */
  readonly url: string;
  /** A query answering one row with `newest` (newest `executed_at` in the synced scope) and `n` (rows in it). */
  readonly query: string;
  /** Injected fetch (tests, SSR). @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** A request that takes longer fails with SYNC_PROBE_FAILED. @default 10_000 */
  readonly timeoutMs?: number;
  readonly timers?: Timers;
  /** Registry of requests in flight, so a cancel can fail (and abort) them at once. */
  readonly inFlight?: Set<(error: SyncError) => void>;
}

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

/** Run the watermark query against Torii's `/sql` endpoint, within a deadline: a request that hangs is a failure. */
export async function probeSqlWatermark(options: SqlProbeOptions): Promise<SqlWatermark> {
  const fetcher = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const rows = await withDeadline(
    async (signal) => {
      const response = await fetcher(`${options.url.replace(/\/$/, "")}/sql`, { method: "POST", body: options.query, ...(signal === undefined ? {} : { signal }) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return (await response.json()) as unknown;
    },
    timeoutMs,
    options.timers ?? systemTimers,
    () => new SyncError("SYNC_PROBE_FAILED", `The SQL watermark query got no answer within ${timeoutMs} ms.`),
    (error) => toSyncError(error, "SYNC_PROBE_FAILED", "The SQL watermark probe failed"),
    options.inFlight,
  );
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

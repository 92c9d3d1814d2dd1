import { systemTimers, type Timers } from "../core/clock";
import { withDeadline } from "../core/deadline";
import { SyncError, toSyncError } from "../core/errors";
import type { IndexerHead, RecentWrite, ScopeWatermark } from "../core/ports";
import { parseSqlTimestamp } from "../core/util/sql-timestamp";
import type { ToriiClientLike } from "./client-types";

export { parseSqlTimestamp };

/** What an SQL watermark query answers: the newest `executed_at` (seconds) and how many rows the scope holds. */
export type SqlWatermark = ScopeWatermark;

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

/** Run one query against Torii's `/sql` endpoint, within a deadline: a request that hangs is a failure. */
export async function runSql(options: SqlProbeOptions): Promise<unknown[]> {
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
    () => new SyncError("SYNC_PROBE_FAILED", `An SQL query got no answer within ${timeoutMs} ms.`),
    (error) => toSyncError(error, "SYNC_PROBE_FAILED", "An SQL query failed"),
    options.inFlight,
  );
  if (!Array.isArray(rows)) throw new SyncError("SYNC_PROBE_FAILED", "The SQL endpoint did not answer a list of rows.");
  return rows;
}

/** The watermark query: one row with `newest` (the scope's newest write, seconds) and `n` (its rows). */
export async function probeSqlWatermark(options: SqlProbeOptions): Promise<SqlWatermark> {
  const row = (await runSql(options))[0] as { newest?: unknown; n?: unknown } | undefined;
  if (row === undefined) throw new SyncError("SYNC_PROBE_FAILED", "The SQL watermark query returned no row; it must answer one row with `newest` and `n`.");
  return { newestExecutedAt: parseSqlTimestamp(row.newest), count: Number(row.n ?? 0) };
}

/** The scope's writes in a window, read from rows `{ id, model, at }`; rows that cannot be read are skipped. */
export async function readRecentWrites(options: SqlProbeOptions): Promise<RecentWrite[]> {
  const writes: RecentWrite[] = [];
  for (const raw of await runSql(options)) {
    const row = raw as { id?: unknown; model?: unknown; at?: unknown } | null;
    if (row === null || typeof row.id !== "string" || typeof row.model !== "string") continue;
    try {
      writes.push({ entityId: row.id, model: row.model, executedAt: parseSqlTimestamp(row.at) });
    } catch {
      // An unreadable time: that row proves nothing either way.
    }
  }
  return writes;
}

import { normalizeEntityIdCached, type EntityId } from "../core/entity-id";
import type { Timers } from "../core/clock";
import { withDeadline } from "../core/deadline";
import { SyncError, toSyncError } from "../core/errors";
import { parseSqlTimestamp } from "../core/util/sql-timestamp";
import type { SqlMapQuery, SqlRow } from "./sql-types";

/** Torii's `/sql` endpoint: one query in, its rows out. */
export interface SqlClient {
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  /** Abort every request in flight (they fail with SYNC_CANCELLED) and clear their deadlines: the source stopped. */
  cancel(): void;
}

/** A client with a deadline per request: one that hangs fails with SYNC_TORII_ERROR after `timeoutMs`. */
export function createSqlClient(url: string, fetcher: typeof globalThis.fetch, timers: Timers, timeoutMs: number): SqlClient {
  const endpoint = `${url.replace(/\/$/, "")}/sql`;
  const ask = async (sql: string, signal: AbortSignal | undefined): Promise<Array<Record<string, unknown>>> => {
    const response = await fetcher(endpoint, { method: "POST", body: sql, ...(signal === undefined ? {} : { signal }) });
    if (!response.ok) throw new SyncError("SYNC_TORII_ERROR", `The SQL endpoint answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
    const rows: unknown = await response.json();
    if (!Array.isArray(rows)) throw new SyncError("SYNC_BAD_PAYLOAD", "The SQL endpoint did not answer a list of rows.");
    return rows as Array<Record<string, unknown>>;
  };
  const inFlight = new Set<(error: SyncError) => void>();
  return {
    query: (sql) =>
      withDeadline(
        (signal) => ask(sql, signal),
        timeoutMs,
        timers,
        () => new SyncError("SYNC_TORII_ERROR", `The SQL endpoint did not answer within ${timeoutMs} ms.`),
        (error) => toSyncError(error, "SYNC_TORII_ERROR", "SQL map query failed"),
        inFlight,
      ),
    cancel() {
      for (const abort of [...inFlight]) abort(new SyncError("SYNC_CANCELLED", "The SQL map source was stopped."));
    },
  };
}

/**
 * The rows of query `name` by entity id, fresh (not stale). A row that cannot be read (a NULL id, an unreadable
 * timestamp) is skipped and handed to `onSkip`; the rest of the answer stands.
 */
export function readRows(name: string, query: SqlMapQuery, raw: ReadonlyArray<Record<string, unknown>>, fetchedAt: number, onSkip: (name: string, thrown: unknown) => void): Map<EntityId, SqlRow> {
  const idColumn = query.idColumn ?? "id";
  const versionColumn = query.versionColumn ?? "executed_at";
  const read = new Map<EntityId, SqlRow>();
  for (const row of raw) {
    try {
      const id = normalizeEntityIdCached(row[idColumn]);
      // No prototype: a column named "__proto__" is just a column.
      const values = Object.create(null) as Record<string, unknown>;
      for (const column of Object.keys(row)) if (column !== idColumn) values[column] = row[column];
      read.set(id, { id, values, version: parseSqlTimestamp(row[versionColumn]), lastFetchedAt: fetchedAt, stale: false });
    } catch (thrown) {
      onSkip(name, thrown);
    }
  }
  return read;
}

/** What a skipped row reports. */
export function unreadableRowError(name: string, thrown: unknown): SyncError {
  return toSyncError(thrown, "SYNC_BAD_PAYLOAD", `SQL map query "${name}" returned a row it cannot read`);
}

/** The query narrowed to some entities: the query's own `forIds`, else the default wrapping. */
export function sqlForIds(query: SqlMapQuery, ids: readonly string[]): string {
  return query.forIds?.(ids) ?? defaultForIds(query, ids);
}

function defaultForIds(query: SqlMapQuery, ids: readonly string[]): string {
  const column = query.idColumn ?? "id";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(column)) throw new SyncError("SYNC_BAD_PAYLOAD", `idColumn ${JSON.stringify(column)} is not a plain column name; pass forIds.`);
  // Ids are normalised hex (0x + 64 hex digits), so quoting them cannot inject anything. Torii's SQL spells ids as
  // Rust's `{:#x}` (minimal hex); a column a game filled from getEntityIdFromKeys holds them padded: both are asked.
  const list = ids.flatMap((id) => [`'0x${BigInt(id).toString(16)}'`, `'${id}'`]).join(", ");
  // Valid SQL for the full refresh must stay valid wrapped: a trailing ";" would end the subquery (also when a comment
  // follows it), a trailing line comment would swallow its ")".
  const inner = query.sql.slice(0, codeEnd(query.sql));
  return `SELECT * FROM (\n${inner}\n) WHERE ${column} IN (${list})`;
}

/** Where the statement's code ends: after its last character outside comments that is neither blank nor ";". */
function codeEnd(sql: string): number {
  let end = 0;
  let at = 0;
  while (at < sql.length) {
    const char = sql[at] as string;
    const pair = sql.slice(at, at + 2);
    let next = at + 1;
    if (pair === "--") next = lineEnd(sql, at);
    else if (pair === "/*") next = sql.includes("*/", at + 2) ? sql.indexOf("*/", at + 2) + 2 : sql.length;
    else if (char === "'" || char === '"' || char === "`" || char === "[") next = quoteEnd(sql, at, char === "[" ? "]" : char);
    if (next > at + 1 && pair !== "--" && pair !== "/*") end = next;
    else if (next === at + 1 && char !== ";" && !/\s/.test(char)) end = next;
    at = next;
  }
  return end;
}

function lineEnd(sql: string, from: number): number {
  const newline = sql.indexOf("\n", from);
  return newline < 0 ? sql.length : newline;
}

/** After the quoted text that opens at `from` (a doubled closing quote is part of it), or the text's end. */
function quoteEnd(sql: string, from: number, close: string): number {
  let at = from + 1;
  while (at < sql.length) {
    if (sql[at] === close) {
      if (close !== "]" && sql[at + 1] === close) at += 2;
      else return at + 1;
    } else at += 1;
  }
  return sql.length;
}

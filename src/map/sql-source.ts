import { systemTimers } from "../core/clock";
import type { EntityId } from "../core/entity-id";
import { toSyncError, type SyncError } from "../core/errors";
import type { SyncPipeline } from "../core/pipeline";
import { createListeners } from "../core/util/listeners";
import { createSleeper, retry } from "../core/util/retry";
import { shallowEqual } from "../core/util/shallow-equal";
import { createSqlClient, readRows, sqlForIds, unreadableRowError } from "./sql-client";
import { createStaleRows } from "./sql-staleness";
import type { SqlMapQuery, SqlMapSource, SqlMapSourceOptions, SqlMapStatus, SqlRow } from "./sql-types";

export type { SqlMapQuery, SqlMapSource, SqlMapSourceOptions, SqlMapStatus, SqlRow } from "./sql-types";

const DEFAULTS = { refreshMs: 20_000, attempts: 3, staleBatchMs: 250 } as const;

/**
 * SQL rows for the fields the ECS lacks, kept honest: refreshed on a cadence and after every replay, retried with
 * backoff, checked against the ledger (a newer stream update marks the row stale and refreshes just that entity), and
 * pruned on full refreshes so nothing that died on chain lingers on the map.
 */
export function createSqlMapSource(options: SqlMapSourceOptions): SqlMapSource {
  const timers = options.timers ?? systemTimers;
  const client = createSqlClient(options.url, options.fetch ?? ((input, init) => globalThis.fetch(input, init)), timers, options.requestTimeoutMs ?? 10_000);
  const refreshMs = options.refreshMs ?? DEFAULTS.refreshMs;
  const queries = Object.entries(options.queries);
  const tables = new Map<string, Map<EntityId, SqlRow>>(queries.map(([name]) => [name, new Map()]));
  const listeners = createListeners<[]>();
  // One sleeper for every retry: stop() wakes them all, so none outlives the source.
  const sleeper = createSleeper(timers);
  let status: SqlMapStatus = { status: "idle", lastError: undefined, lastRefreshAt: undefined, refreshes: 0 };
  let version = 0;
  let dataVersion = 0;
  let running = false;
  let cadence: unknown;
  let detach: Array<() => void> = [];
  let skippedRows = 0;
  let lastSkip: SyncError | undefined;
  // Bumped by start() and stop(): a `ready` that resolves for an earlier start must not begin refreshing, nor may a
  // refresh begun before a stop land, or schedule its cadence, after the next start.
  let generation = 0;
  /** The start whose refreshing has begun (its first refresh, then the cadence). */
  let begun = 0;
  /** Targeted refreshes in a row that found SQL still behind the ledger: each waits twice as long as the one before. */
  let lagging = 0;
  let attached: SyncPipeline | undefined = options.pipeline;

  const batchMs = options.staleBatchMs ?? DEFAULTS.staleBatchMs;
  const stale = createStaleRows({
    timers,
    batchMs,
    appliedVersion: (id) => attached?.entityVersion?.(id),
    active: () => running,
    refresh: (ids) => void refreshTargeted(ids),
  });

  const setStatus = (patch: Partial<SqlMapStatus>): void => {
    status = { ...status, ...patch };
    version += 1;
    listeners.emit();
  };
  const anyStale = (): boolean => {
    for (const table of tables.values()) for (const row of table.values()) if (row.stale) return true;
    return false;
  };
  const countSkip = (name: string, thrown: unknown): void => {
    skippedRows += 1;
    if (skippedRows === 1) lastSkip = unreadableRowError(name, thrown);
  };

  const current = (mine: number): boolean => running && mine === generation;

  /** Every query's rows (`sqlOf` says which SQL to send), with retries and backoff while start `mine` runs. */
  const fetchAll = (sqlOf: (query: SqlMapQuery) => string, mine: number): Promise<Map<string, Map<EntityId, SqlRow>>> =>
    retry(
      async () => {
        try {
          const results = new Map<string, Map<EntityId, SqlRow>>();
          for (const [name, query] of queries) results.set(name, readRows(name, query, await client.query(sqlOf(query)), timers.now(), countSkip));
          return results;
        } catch (thrown) {
          throw toSyncError(thrown, "SYNC_TORII_ERROR", "SQL map refresh failed");
        }
      },
      { attempts: options.retry?.attempts ?? DEFAULTS.attempts, backoff: options.retry?.backoff ?? {}, timers, random: options.random ?? Math.random, shouldRetry: () => current(mine) },
      sleeper,
    );

  const refresh = async (): Promise<void> => {
    const mine = generation;
    try {
      const fetched = await fetchAll((query) => query.sql, mine);
      if (!current(mine)) return;
      // A full refresh is authoritative: what it lacks is gone (no ghost armies).
      for (const [name, rows] of fetched) {
        if (keepIdentity(tables.get(name), rows)) dataVersion += 1;
        let marked = false;
        for (const id of rows.keys()) if (stale.mark(rows, id)) marked = true;
        if (marked) stale.schedule();
        tables.set(name, rows);
      }
      setStatus({ status: anyStale() ? "stale" : "ok", lastError: undefined, lastRefreshAt: timers.now(), refreshes: status.refreshes + 1, skippedRows, lastSkip });
    } catch (thrown) {
      if (!current(mine)) return;
      setStatus({ status: "error", lastError: toSyncError(thrown, "SYNC_TORII_ERROR", "SQL map refresh failed") });
    }
  };

  const refreshTargeted = async (ids: EntityId[]): Promise<void> => {
    const mine = generation;
    try {
      const fetched = await fetchAll((query) => sqlForIds(query, ids), mine);
      if (!current(mine)) return;
      let behind = false;
      for (const [name, rows] of fetched) {
        const table = tables.get(name) as Map<EntityId, SqlRow>;
        for (const id of ids) {
          const row = rows.get(id);
          const old = table.get(id);
          if (row === undefined) {
            if (table.delete(id)) dataVersion += 1;
          } else if (old !== undefined && shallowEqual(old.values, row.values)) table.set(id, { ...row, values: old.values });
          else {
            table.set(id, row);
            dataVersion += 1;
          }
        }
        // Still older than the ledger after its refresh: SQL lags the stream; the next batch tries again.
        for (const id of ids) if (stale.mark(table, id)) behind = true;
      }
      // Sooner than the cadence, but backing off: a row whose version never catches up (no executed_at column, read
      // as 0) must not be asked for four times a second for ever.
      lagging = behind ? lagging + 1 : 0;
      if (behind) stale.schedule(Math.min(batchMs * 2 ** lagging, refreshMs));
      setStatus({ status: anyStale() ? "stale" : "ok", lastError: undefined });
    } catch (thrown) {
      if (!current(mine)) return;
      setStatus({ status: "error", lastError: toSyncError(thrown, "SYNC_TORII_ERROR", "Targeted SQL refresh failed") });
    }
  };

  const onApplied = (ids: readonly EntityId[]): void => {
    let changed = false;
    for (const id of ids) for (const table of tables.values()) if (stale.mark(table, id)) changed = true;
    if (!changed) return;
    stale.schedule();
    if (status.status !== "error") setStatus({ status: "stale" });
  };

  /** The next cadence refresh, for this start only: a refresh that outlived a stop and start schedules nothing. */
  const scheduleCadence = (forGeneration: number): void => {
    if (!current(forGeneration)) return;
    if (cadence !== undefined) timers.clearTimeout(cadence);
    cadence = timers.setTimeout(() => {
      cadence = undefined;
      void refresh().finally(() => scheduleCadence(forGeneration));
    }, refreshMs);
  };

  const begin = (forGeneration: number): void => {
    if (!current(forGeneration) || begun === forGeneration) return;
    begun = forGeneration;
    void refresh().finally(() => scheduleCadence(forGeneration));
  };

  return {
    get version() {
      return version;
    },
    get dataVersion() {
      return dataVersion;
    },
    start(pipeline = options.pipeline) {
      if (running) return;
      running = true;
      generation += 1;
      const started = generation;
      attached = pipeline;
      if (pipeline === undefined) {
        begin(started);
        return;
      }
      pipeline.ready.then(() => begin(started), () => undefined);
      detach = [
        pipeline.subscribe((state, previous) => {
          if (state.status !== "streaming" || previous.status === "streaming") return;
          // A boot that failed (`ready` rejected, then the app's forceReplay) begins at its first streaming; after
          // that, right after each recovery replay, refresh everything.
          if (begun !== started) begin(started);
          else if (status.refreshes > 0) void refresh();
        }),
        pipeline.subscribeApplied?.(onApplied) ?? (() => undefined),
      ];
    },
    stop() {
      running = false;
      generation += 1;
      for (const undo of detach) undo();
      detach = [];
      if (cadence !== undefined) timers.clearTimeout(cadence);
      cadence = undefined;
      stale.stop();
      lagging = 0;
      sleeper.wakeAll();
      client.cancel();
    },
    refresh,
    row: (query, id) => tables.get(query)?.get(id),
    rows: (query) => tables.get(query) ?? new Map(),
    getStatus: () => status,
    subscribe: (listener) => listeners.add(listener),
  };
}

/**
 * Unchanged values keep their object identity, so a map merged with them does not re-render for nothing. Returns
 * whether anything the map shows changed: a row's values, or a row that came or went.
 */
function keepIdentity(previous: ReadonlyMap<EntityId, SqlRow> | undefined, rows: Map<EntityId, SqlRow>): boolean {
  if (previous === undefined) return rows.size > 0;
  let changed = previous.size !== rows.size;
  for (const [id, row] of rows) {
    const old = previous.get(id);
    if (old !== undefined && shallowEqual(old.values, row.values)) rows.set(id, { ...row, values: old.values });
    else changed = true;
  }
  return changed;
}

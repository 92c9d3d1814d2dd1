import { systemTimers, type Timers } from "../core/clock";
import { normalizeEntityIdCached, type EntityId } from "../core/entity-id";
import { SyncError, toSyncError } from "../core/errors";
import { backoffDelay, type BackoffConfig } from "../core/guard/backoff";
import type { SyncPipeline } from "../core/pipeline";
import { parseSqlTimestamp } from "../torii/probes";

export interface SqlMapQuery {
  /** SQL answering one row per entity, with the heavy fields the ECS does not hold. */
  readonly sql: string;
  /** Column holding the entity id. @default "id" */
  readonly idColumn?: string;
  /** Column holding the row's version: `executed_at` as Torii stores it (text or unix seconds). @default "executed_at" */
  readonly versionColumn?: string;
  /**
   * The same query narrowed to some entities, for targeted refreshes.
   * @default `SELECT * FROM (sql) WHERE idColumn IN ('…', …)`
   */
  readonly forIds?: (ids: readonly string[]) => string;
}

export interface SqlMapSourceOptions {
  /** Torii's base URL; queries are POSTed to `{url}/sql`. */
  readonly url: string;
  /** Named queries; a query named like a map layer lends its fields to that layer's items. */
  readonly queries: Readonly<Record<string, SqlMapQuery>>;
  /** Full refresh cadence. @default 20_000 */
  readonly refreshMs?: number;
  /** Attempts per refresh and the delay between them. @default { attempts: 3, backoff: BACKOFF_DEFAULTS } */
  readonly retry?: { readonly attempts?: number; readonly backoff?: Partial<BackoffConfig> };
  /** The pipeline whose ledger tells when a row is stale, and whose sync and replays start refreshes. */
  readonly pipeline?: SyncPipeline;
  /** Wait this long to batch entities whose rows went stale into one targeted refresh. @default 250 */
  readonly staleBatchMs?: number;
  readonly fetch?: typeof globalThis.fetch;
  readonly timers?: Timers;
  readonly random?: () => number;
}

export interface SqlRow {
  readonly id: EntityId;
  readonly values: Readonly<Record<string, unknown>>;
  /** The row's `executed_at`, in seconds. */
  readonly version: number;
  /** When this row was fetched (ms, from the injected clock). */
  readonly lastFetchedAt: number;
  /** The ledger has a newer version than this row: a targeted refresh is on its way; live ECS fields win meanwhile. */
  readonly stale: boolean;
}

export interface SqlMapStatus {
  readonly status: "idle" | "ok" | "stale" | "error";
  readonly lastError: SyncError | undefined;
  readonly lastRefreshAt: number | undefined;
  readonly refreshes: number;
  /** Rows skipped because they could not be read (a NULL id, say), and the first such error. */
  readonly skippedRows?: number;
  readonly lastSkip?: SyncError | undefined;
}

export interface SqlMapSource {
  /**
   * Refresh after the pipeline's first consistent state (at once without a pipeline), then on the cadence. A pipeline
   * passed here (as `<SyncProvider sqlMap>` does with its own) takes the place of `options.pipeline`.
   */
  start(pipeline?: SyncPipeline): void;
  stop(): void;
  /** A full refresh now, with retries; rows missing from it are removed. */
  refresh(): Promise<void>;
  row(query: string, id: EntityId): SqlRow | undefined;
  rows(query: string): ReadonlyMap<EntityId, SqlRow>;
  getStatus(): SqlMapStatus;
  /** Bumped on every change of rows or status: a cheap snapshot key. */
  readonly version: number;
  subscribe(listener: () => void): () => void;
}

const DEFAULTS = { refreshMs: 20_000, attempts: 3, staleBatchMs: 250 } as const;

/**
 * SQL rows for the fields the ECS lacks, kept honest: refreshed on a cadence and after every replay, retried with
 * backoff, checked against the ledger (a newer stream update marks the row stale and refreshes just that entity), and
 * pruned on full refreshes so nothing that died on chain lingers on the map.
 */
export function createSqlMapSource(options: SqlMapSourceOptions): SqlMapSource {
  const timers = options.timers ?? systemTimers;
  const fetcher = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const random = options.random ?? Math.random;
  const attempts = options.retry?.attempts ?? DEFAULTS.attempts;
  const refreshMs = options.refreshMs ?? DEFAULTS.refreshMs;
  const staleBatchMs = options.staleBatchMs ?? DEFAULTS.staleBatchMs;
  const tables = new Map<string, Map<EntityId, SqlRow>>(Object.keys(options.queries).map((name) => [name, new Map()]));
  const listeners = new Set<() => void>();
  let status: SqlMapStatus = { status: "idle", lastError: undefined, lastRefreshAt: undefined, refreshes: 0 };
  let version = 0;
  let running = false;
  let cadence: unknown;
  let staleTimer: unknown;
  const staleIds = new Set<EntityId>();
  const sleepers = new Map<unknown, () => void>();
  let detach: Array<() => void> = [];
  let skippedRows = 0;
  let lastSkip: SyncError | undefined;
  // Bumped by start() and stop(): a `ready` that resolves for an earlier start must not begin refreshing.
  let generation = 0;
  let attached: SyncPipeline | undefined = options.pipeline;

  const notify = (): void => {
    version += 1;
    for (const listener of [...listeners]) listener();
  };
  const setStatus = (patch: Partial<SqlMapStatus>): void => {
    status = { ...status, ...patch };
    notify();
  };
  const anyStale = (): boolean => {
    for (const table of tables.values()) for (const row of table.values()) if (row.stale) return true;
    return false;
  };

  const run = async (sql: string): Promise<Array<Record<string, unknown>>> => {
    const response = await fetcher(`${options.url.replace(/\/$/, "")}/sql`, { method: "POST", body: sql });
    if (!response.ok) throw new SyncError("SYNC_TORII_ERROR", `The SQL endpoint answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
    const rows: unknown = await response.json();
    if (!Array.isArray(rows)) throw new SyncError("SYNC_BAD_PAYLOAD", "The SQL endpoint did not answer a list of rows.");
    return rows as Array<Record<string, unknown>>;
  };

  const withRetry = async <T,>(work: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await work();
      } catch (thrown) {
        const error = toSyncError(thrown, "SYNC_TORII_ERROR", "SQL map refresh failed");
        if (attempt >= attempts || !running) throw error;
        await sleep(backoffDelay(attempt, options.retry?.backoff ?? {}, random));
      }
    }
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = timers.setTimeout(() => {
        sleepers.delete(timer);
        resolve();
      }, ms);
      sleepers.set(timer, resolve);
    });

  const readRows = (name: string, query: SqlMapQuery, rows: Array<Record<string, unknown>>, fetchedAt: number): Map<EntityId, SqlRow> => {
    const idColumn = query.idColumn ?? "id";
    const versionColumn = query.versionColumn ?? "executed_at";
    const read = new Map<EntityId, SqlRow>();
    for (const raw of rows) {
      try {
        const id = normalizeEntityIdCached(raw[idColumn]);
        // No prototype: a column named "__proto__" is just a column.
        const values = Object.create(null) as Record<string, unknown>;
        for (const column of Object.keys(raw)) if (column !== idColumn) values[column] = raw[column];
        read.set(id, { id, values, version: parseSqlTimestamp(raw[versionColumn]), lastFetchedAt: fetchedAt, stale: false });
      } catch (thrown) {
        // One bad row (a NULL id, an unreadable timestamp) is skipped and counted; the rest of the refresh stands.
        skippedRows += 1;
        if (skippedRows === 1) lastSkip = toSyncError(thrown, "SYNC_BAD_PAYLOAD", `SQL map query "${name}" returned a row it cannot read`);
      }
    }
    return read;
  };

  const refresh = async (): Promise<void> => {
    try {
      const fetched = await withRetry(async () => {
        const results = new Map<string, Map<EntityId, SqlRow>>();
        for (const [name, query] of Object.entries(options.queries)) results.set(name, readRows(name, query, await run(query.sql), timers.now()));
        return results;
      });
      if (!running) return;
      // A full refresh is authoritative: what it lacks is gone (no ghost armies).
      for (const [name, rows] of fetched) tables.set(name, markStale(keepIdentity(tables.get(name), rows)));
      setStatus({ status: anyStale() ? "stale" : "ok", lastError: undefined, lastRefreshAt: timers.now(), refreshes: status.refreshes + 1, skippedRows, lastSkip });
    } catch (thrown) {
      if (!running) return;
      setStatus({ status: "error", lastError: toSyncError(thrown, "SYNC_TORII_ERROR", "SQL map refresh failed") });
    }
  };

  /** A row older than what the ledger applied is stale from the moment it arrives. */
  const markStale = (rows: Map<EntityId, SqlRow>): Map<EntityId, SqlRow> => {
    for (const [id, row] of rows) {
      const applied = attached?.entityVersion?.(id);
      if (applied !== undefined && applied > row.version) {
        rows.set(id, { ...row, stale: true });
        scheduleTargeted(id);
      }
    }
    return rows;
  };

  const refreshTargeted = async (): Promise<void> => {
    const ids = [...staleIds];
    staleIds.clear();
    if (ids.length === 0) return;
    try {
      const fetched = await withRetry(async () => {
        const results = new Map<string, Map<EntityId, SqlRow>>();
        for (const [name, query] of Object.entries(options.queries)) {
          const sql = query.forIds?.(ids) ?? defaultForIds(query, ids);
          results.set(name, readRows(name, query, await run(sql), timers.now()));
        }
        return results;
      });
      if (!running) return;
      for (const [name, rows] of fetched) {
        const table = tables.get(name) as Map<EntityId, SqlRow>;
        for (const id of ids) {
          const row = rows.get(id);
          if (row === undefined) table.delete(id);
          else table.set(id, row);
        }
        markStaleIn(table, ids);
      }
      setStatus({ status: anyStale() ? "stale" : "ok", lastError: undefined });
    } catch (thrown) {
      if (!running) return;
      setStatus({ status: "error", lastError: toSyncError(thrown, "SYNC_TORII_ERROR", "Targeted SQL refresh failed") });
    }
  };

  const markStaleIn = (table: Map<EntityId, SqlRow>, ids: readonly EntityId[]): void => {
    for (const id of ids) {
      const row = table.get(id);
      const applied = attached?.entityVersion?.(id);
      // Still older than the ledger after its refresh: SQL lags the stream; try again on the next batch.
      if (row !== undefined && applied !== undefined && applied > row.version) {
        table.set(id, { ...row, stale: true });
        staleIds.add(id);
      }
    }
  };

  function scheduleTargeted(id: EntityId): void {
    staleIds.add(id);
    if (staleTimer !== undefined || !running) return;
    staleTimer = timers.setTimeout(() => {
      staleTimer = undefined;
      void refreshTargeted();
    }, staleBatchMs);
  }

  const onApplied = (ids: readonly EntityId[]): void => {
    let changed = false;
    for (const id of ids) {
      const applied = attached?.entityVersion?.(id);
      if (applied === undefined) continue;
      for (const table of tables.values()) {
        const row = table.get(id);
        if (row === undefined || row.stale || applied <= row.version) continue;
        table.set(id, { ...row, stale: true });
        scheduleTargeted(id);
        changed = true;
      }
    }
    if (changed && status.status !== "error") setStatus({ status: "stale" });
  };

  const scheduleCadence = (): void => {
    if (!running) return;
    cadence = timers.setTimeout(() => {
      cadence = undefined;
      void refresh().finally(scheduleCadence);
    }, refreshMs);
  };

  const begin = (forGeneration: number): void => {
    if (!running || forGeneration !== generation) return;
    void refresh().finally(() => {
      if (forGeneration === generation) scheduleCadence();
    });
  };

  return {
    get version() {
      return version;
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
          // Right after each recovery replay (not the boot, which `ready` covers), refresh everything.
          if (state.status === "streaming" && previous.status !== "streaming" && status.refreshes > 0) void refresh();
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
      if (staleTimer !== undefined) timers.clearTimeout(staleTimer);
      cadence = undefined;
      staleTimer = undefined;
      for (const [timer, wake] of sleepers) {
        timers.clearTimeout(timer);
        wake();
      }
      sleepers.clear();
    },
    refresh,
    row: (query, id) => tables.get(query)?.get(id),
    rows: (query) => tables.get(query) ?? new Map(),
    getStatus: () => status,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Unchanged values keep their object identity, so a map merged with them does not re-render for nothing. */
function keepIdentity(previous: ReadonlyMap<EntityId, SqlRow> | undefined, rows: Map<EntityId, SqlRow>): Map<EntityId, SqlRow> {
  if (previous === undefined) return rows;
  for (const [id, row] of rows) {
    const old = previous.get(id);
    if (old !== undefined && shallowEqual(old.values, row.values)) rows.set(id, { ...row, values: old.values });
  }
  return rows;
}

function shallowEqual(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.is(a[key], b[key]));
}

function defaultForIds(query: SqlMapQuery, ids: readonly string[]): string {
  const column = query.idColumn ?? "id";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(column)) throw new SyncError("SYNC_BAD_PAYLOAD", `idColumn ${JSON.stringify(column)} is not a plain column name; pass forIds.`);
  // Ids are normalised hex (0x + 64 hex digits), so quoting them cannot inject anything.
  const list = ids.map((id) => `'${id}'`).join(", ");
  return `SELECT * FROM (${query.sql}) WHERE ${column} IN (${list})`;
}

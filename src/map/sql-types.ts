import type { Timers } from "../core/clock";
import type { EntityId } from "../core/entity-id";
import type { SyncError } from "../core/errors";
import type { BackoffConfig } from "../core/guard/backoff";
import type { SyncPipeline } from "../core/pipeline";

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
  /** A request that takes longer is a failed attempt (retried): a hung `/sql` never stops the refreshes. @default 10_000 */
  readonly requestTimeoutMs?: number;
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
  /**
   * Bumped only when some row's values changed, or a row came or went: what the map's fields are keyed by, so a
   * refresh that brings back the same rows (or a status change alone) re-renders nothing. A source without it is keyed
   * by `version`.
   */
  readonly dataVersion?: number;
  subscribe(listener: () => void): () => void;
}

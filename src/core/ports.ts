import type { EntityId } from "./entity-id";
import type { SyncError } from "./errors";
import type { LedgerScope, ModelTag, ToriiValue } from "./types";

/**
 * Where decoded updates go: the core's intake port. An adapter (the Torii decoder) reads each entity message once and
 * calls these directly, with no object per update in between. Every call carries the entity's scope, id and
 * `executed_at` (block time, whole seconds). `members` is the client's own object of member values: read during the
 * call and kept by reference until applied, never mutated.
 */
export interface IntakeSink {
  /**
   * Some or all members of one model changed. `memberCount`, when the caller counted them (the decoder does: every key
   * holding a Torii value), saves the store a walk over the object's keys: it reads the schema's members by name and
   * counts the rest as unknown.
   */
  write(scope: LedgerScope, entityId: EntityId, executedAt: number, model: ModelTag, members: Readonly<Record<string, unknown>>, memberCount?: number): void;
  /** One model was removed from the entity (Torii sends it as `{}`). */
  deleteModel(scope: LedgerScope, entityId: EntityId, executedAt: number, model: ModelTag): void;
  /** The whole entity was removed (`models: {}` in older Torii). */
  deleteEntity(scope: LedgerScope, entityId: EntityId, executedAt: number): void;
  /** The client reconnected by itself and may have missed updates (the all-zero entity): never an update. */
  gap(): void;
  /**
   * Part of a message could not be read. `entityId` and `executedAt` are there when the id and timestamp were valid
   * (then the entity exists on the server, whatever was wrong with one of its models).
   */
  reject(error: SyncError, scope: LedgerScope, entityId?: EntityId, executedAt?: number): void;
  /** One entity message has been read whole (after its writes, deletes and rejects). */
  entityEnd(scope: LedgerScope, entityId: EntityId, executedAt: number): void;
  /** A message arrived on a stream the pipeline had already closed: counted, never applied. */
  closedStream(): void;
}

/** An open subscription whose cancel can be called any number of times. */
export interface StreamHandle {
  cancel(): void;
  readonly cancelled: boolean;
}

export interface PageRead {
  /** The cursor of the next page; `undefined` when this was the last. */
  readonly nextCursor: string | undefined;
  /** Rows the page held (decoded into the sink, malformed ones included). */
  readonly rows: number;
}

/** The SQL watermark of the synced scope: the newest block time written in it and its rows (entity × bound model). */
export interface ScopeWatermark {
  readonly newestExecutedAt: number;
  readonly count: number;
}

/** One write the server holds for the synced scope: which entity and model, and its block time (seconds). */
export interface RecentWrite {
  readonly entityId: string;
  readonly model: ModelTag;
  readonly executedAt: number;
}

/** The indexer's head, as the client can tell it. */
export interface IndexerHead {
  readonly block: number;
  readonly timestamp: number;
}

/**
 * What the core reads Torii through: pages by cursor and streams per scope, decoded into an IntakeSink, with transport
 * concerns handled on the adapter's side (deadlines, idempotent cancel, callback shapes, string errors). The core
 * defines this port; `torii/` implements it.
 */
/**
 * How a long read into the main store keeps under its high-water mark (past it the backlog is dropped): parts of at
 * most `maxEntities` entities, each after `room()`, which drains the store when it is crowded (`undefined`: go on).
 */
export interface ReadPacing {
  readonly maxEntities: number;
  room(): Promise<void> | undefined;
}

export interface SyncSource {
  readonly scopes: readonly LedgerScope[];
  /** Whether pages carry only some models of each entity (then a model missing from a row is not a removal). */
  readonly restrictsModels?: boolean;
  /**
   * Read one page from `cursor`, decoding each row into `sink`; rejects with a SyncError (a deadline included). A source
   * whose one page holds more than `limit` entities (the shared cache a follower tab reads) hands it over in parts of
   * at most `limit`, each after `room()`.
   */
  fetchPage(scope: LedgerScope, cursor: string | undefined, limit: number, sink: IntakeSink, room?: ReadPacing["room"]): Promise<PageRead>;
  /** Subscribe, decoding every message into `sink`; settles within a deadline or rejects. */
  subscribe(scope: LedgerScope, sink: IntakeSink): Promise<StreamHandle>;
  /** The scoped SQL watermark, when the source can read one (the app gave `toriiUrl` and the clause has an SQL form). */
  readonly watermark?: () => Promise<ScopeWatermark>;
  /** The synced scope's writes with a block time in `(from, to]` (seconds), at most `limit`, when the source can read them. */
  readonly recentWrites?: (fromExecutedAt: number, toExecutedAt: number, limit: number) => Promise<readonly RecentWrite[]>;
  /** The indexer head, when the client can tell it. */
  readonly head?: () => Promise<IndexerHead | undefined>;
  /** Streams open through this source (for teardown checks). */
  openStreams(): number;
  /** Fail every request in flight with SYNC_CANCELLED and refuse new ones: the source is done. */
  cancelPending(): void;
}

/** What a log record can say besides its message: the fields of the seed's structured logger. */
export interface LogFields {
  readonly entityId?: string;
  readonly model?: string;
  /** A version, as block time in seconds. */
  readonly version?: number;
  readonly block?: number;
  readonly code?: string;
}

export type LogLevel = "debug" | "info" | "warn" | "error";

/** Where the core writes its logs; `once` says a thing once per key, so a flood of bad input is one line. */
export interface CoreLogger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
  once(level: LogLevel, key: string, message: string, fields?: LogFields): void;
}

/**
 * What the admission let through, in Torii's own terms (the members as Torii sent them, times in `executed_at`
 * seconds): what a persisted cache stores and what a leader tab hands to its followers. A write carries the members
 * that landed, each with the block time of the update that carried it (a coalesced row mixes several updates).
 */
export type AdmittedChange =
  | {
      readonly kind: "write";
      readonly scope: LedgerScope;
      readonly entityId: EntityId;
      readonly model: ModelTag;
      readonly members: readonly string[];
      readonly values: readonly ToriiValue[];
      readonly ats: readonly number[];
    }
  | { readonly kind: "delete_model"; readonly scope: LedgerScope; readonly entityId: EntityId; readonly model: ModelTag; readonly at: number }
  | { readonly kind: "delete_entity"; readonly scope: LedgerScope; readonly entityId: EntityId; readonly at: number };

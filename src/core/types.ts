import type { EntityId } from "./entity-id";

/** A Torii model tag: `"namespace-Name"`. */
export type ModelTag = string;

/** One member value as the Torii client decodes it (its `Ty`). Checked by the adapter, converted by the writer. */
export interface ToriiValue {
  readonly type: "primitive" | "struct" | "enum" | "array" | "tuple" | "bytearray" | "fixed_size_array";
  readonly type_name: string;
  readonly value: unknown;
  readonly key: boolean;
}

/** A write of some or all members of one model. Maps, not objects, so no member name can reach a prototype. */
export interface ModelWrite {
  readonly kind: "write";
  readonly members: ReadonlyMap<string, ToriiValue>;
}

/** The model was removed from the entity (Torii sends the model as `{}`). */
export interface ModelDelete {
  readonly kind: "delete";
}

export type ModelChange = ModelWrite | ModelDelete;

/**
 * What Torii tells about when a change happened. Torii sends whole-second timestamps only; `block` and `eventIndex`
 * exist for sources that can resolve them (SQL `event_id`).
 */
export interface UpdateMeta {
  /** Block timestamp of the entity's last write, in whole seconds. */
  readonly executedAt: number;
  /** Indexer wall clock when it wrote the row, in whole seconds. */
  readonly updatedAt: number;
  readonly block?: number;
  readonly eventIndex?: number;
}

export type UpdateOrigin = "stream" | "snapshot" | "replay";

/** Entities and event messages are versioned apart: they are different tables in Torii. */
export type LedgerScope = "entities" | "events";

/** A normalised entity update: what the adapter hands the pipeline. */
export interface SyncUpdate {
  readonly entityId: EntityId;
  readonly scope: LedgerScope;
  /** Only the models that changed; a partial write carries only some members. */
  readonly models: ReadonlyMap<ModelTag, ModelChange>;
  /** True when Torii removed the whole entity (`models: {}` in older Torii). `models` is then empty. */
  readonly entityDeleted: boolean;
  readonly meta: UpdateMeta;
  readonly origin: UpdateOrigin;
}

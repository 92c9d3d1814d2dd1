import type { ProtoEntity } from "../protocol/codecs";
import type { ModelValues } from "../schema/types";
import type { EntityKind } from "../store/world-store";

/** What a write did, in Torii's vocabulary. */
export type ChangeOperation = "set" | "update" | "deleteModel" | "deleteEntity";

/** One indexed write, as the server fans it out to subscribers. */
export interface WorldChange {
  readonly kind: EntityKind;
  readonly operation: ChangeOperation;
  /** Padded hex id (`0x` + 64 digits). */
  readonly entityId: string;
  readonly keys: readonly bigint[];
  /** The update exactly as Torii sends it: only the changed model, only the changed members; already validated. */
  readonly entity: ProtoEntity;
  /** Every model of the entity (after the write; before it for deletions), for matching Member clauses. */
  modelsForMatching(): Readonly<Record<string, ModelValues>>;
}

/** The indexer head: the last block the simulated indexer processed. */
export interface WorldHead {
  readonly block: number;
  /** Block timestamp, whole seconds; several blocks can share one. */
  readonly timestamp: number;
}

export interface WorldListener {
  onChange?(change: WorldChange): void;
  onHead?(head: WorldHead): void;
}

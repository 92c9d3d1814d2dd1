import type { ModelTag } from "./types";
import { type Version } from "./version";

/**
 * What the ledger knows of one entity × model. `v` is the floor every member of the model is at least as new as (the
 * last complete write, or the delete that left the tombstone), in the model's own unit. `members` holds only the
 * members written after it by partial updates, so a model written whole costs few fields. `at` is the block time
 * (packed seconds) of the newest change admitted: deletes and floors are in seconds, so they compete with writes in
 * seconds, whatever unit the writes are versioned in among themselves.
 */
export interface ModelRecord {
  readonly tag: ModelTag;
  v: Version;
  at: Version;
  deleted: boolean;
  members: Map<string, Version> | undefined;
}

/**
 * A member's version in its model's unit, and the block time (packed seconds) of the update that carried it. For a
 * model versioned by `executed_at` the two are the same number; for one versioned by its own `last_updated_at` (a
 * tick or a counter), `version` is that tick, or `NO_VERSION` when the update did not carry it.
 */
export interface MemberClock {
  readonly version: Version;
  readonly at: Version;
}

export function clockOf(value: Version | MemberClock): MemberClock {
  return typeof value === "number" ? { version: value, at: value } : value;
}

export interface EntityRecord {
  /** Version of the last whole-entity delete: nothing older lands on any model of the entity. */
  floor: Version;
  /**
   * Newest entity-wide `executed_at` (seconds) of any message about the entity, applied or not: what a probe compares a
   * page row's `executed_at` with (like with like: both are the entity's, not a model's).
   */
  seen: number;
  /** A short array, not a Map: an entity carries a handful of models, and a Map per entity costs ~200 bytes. */
  models: ModelRecord[];
}

export function findModel(entity: EntityRecord, model: ModelTag): ModelRecord | undefined {
  const models = entity.models;
  for (let i = 0; i < models.length; i += 1) if ((models[i] as ModelRecord).tag === model) return models[i];
  return undefined;
}

export interface DeleteDecision {
  /** Whether the delete lands at all. */
  readonly applied: boolean;
  /** Members written after the delete: the component goes, these stay pending as a partial recreate. */
  readonly survivors: readonly string[];
}

export interface EntityDeleteDecision {
  /** Whether the delete is as new as the entity's floor (and so lands at all). */
  readonly applied: boolean;
  /**
   * Models the delete does not wipe: `"all"` when the whole model was written after it, or the members written after
   * it. Models not listed are gone.
   */
  readonly kept: ReadonlyMap<ModelTag, readonly string[] | "all">;
}

export const REFUSED: DeleteDecision = { applied: false, survivors: [] };
export const NOTHING_SURVIVES: DeleteDecision = { applied: true, survivors: [] };

export interface LedgerStats {
  readonly entities: number;
  readonly models: number;
  readonly tombstones: number;
  readonly memberVersions: number;
}

/**
 * Delete one model at block time `version` (see EntityLedger.admitModelDelete). A model versioned by its own member
 * compares the delete with its newest write's block time.
 */
export function deleteModelRecord(record: ModelRecord, version: Version, ownVersioned: boolean): DeleteDecision {
  if (ownVersioned) {
    // Member versions are in the model's own unit, not comparable with a block time: the delete wins whole if it
    // is as new as the newest write, and loses whole otherwise.
    if (version < record.at) return REFUSED;
    record.members = undefined;
    record.at = version;
    record.deleted = true;
    return NOTHING_SURVIVES;
  }
  // Every member is at least as new as the floor: a delete older than the floor is older than everything.
  if (version < record.v) return REFUSED;
  const survivors: string[] = [];
  if (record.members !== undefined) {
    for (const [member, memberVersion] of record.members) {
      if (memberVersion > version) survivors.push(member);
      else record.members.delete(member);
    }
    if (record.members.size === 0) record.members = undefined;
  }
  record.v = version;
  record.at = Math.max(record.at, version);
  record.deleted = survivors.length === 0;
  return survivors.length === 0 ? NOTHING_SURVIVES : { applied: true, survivors };
}

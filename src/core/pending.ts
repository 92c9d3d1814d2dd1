import type { EntityId } from "./entity-id";
import type { LedgerScope, ModelTag, ToriiValue } from "./types";
import { NO_VERSION, type Version } from "./version";

/**
 * A member value waiting to be applied, with the version of the update that carried it (in the model's unit) and that
 * update's block time (packed seconds; see MemberClock). Mutated in place by merges.
 */
export interface PendingMember {
  value: ToriiValue;
  version: Version;
  at: Version;
}

/** Everything pending for one model: the newest delete, then member writes no older than it. */
export interface PendingModel {
  deleteAt: Version | undefined;
  readonly members: Map<string, PendingMember>;
}

/** Everything pending for one entity: one item per entity, however many updates arrived. */
export interface PendingEntity {
  readonly key: string;
  readonly entityId: EntityId;
  readonly scope: LedgerScope;
  /** Newest `executed_at` seen for the entity, in seconds: feeds `lastAppliedAt`. */
  executedAt: number;
  entityDeleteAt: Version | undefined;
  readonly models: Map<ModelTag, PendingModel>;
}

/** One versioned change as the pipeline enqueues it. */
export type VersionedChange =
  | { readonly kind: "write"; readonly model: ModelTag; readonly version: Version; readonly at?: Version; readonly members: ReadonlyMap<string, ToriiValue> }
  | { readonly kind: "deleteModel"; readonly model: ModelTag; readonly version: Version }
  | { readonly kind: "deleteEntity"; readonly version: Version };

/**
 * Newest wins, in place; returns whether the incoming value was older than the queued one. Two writes compare in the
 * model's unit when both carry it, else by block time (a write without its own version ties on it).
 */
export function mergeMember(queued: Map<string, PendingMember>, member: string, value: ToriiValue, version: Version, at: Version): boolean {
  const existing = queued.get(member);
  if (existing === undefined) {
    queued.set(member, { value, version, at });
    return false;
  }
  if (version !== NO_VERSION && existing.version !== NO_VERSION ? version < existing.version : at < existing.at) return true;
  existing.value = value;
  existing.version = version;
  existing.at = at;
  return false;
}


import type { AdmittedChange } from "../core/ports";
import type { LedgerScope, ModelTag, ToriiValue } from "../core/types";
import { DirtySet } from "./dirty-set";
import type { EntityModelRecord } from "./layout";

/**
 * A Torii entity message, the exact shape the wasm client hands over, so cached and relayed state goes through the
 * engine's own decoder and admission: `models: {}` is an entity delete, a model's `{}` a model delete.
 * `updated_at` and `created_at` are not kept: they repeat `executed_at`.
 */
export interface ToriiEntityMessage {
  readonly hashed_keys: string;
  readonly models: Record<ModelTag, Record<string, ToriiValue>>;
  readonly executed_at: number;
  readonly updated_at: number;
  readonly created_at: number;
}

/** Messages of one scope (entities or event messages: versioned apart, fed to the matching intake). */
export interface ScopedMessages {
  readonly scope: LedgerScope;
  readonly messages: ToriiEntityMessage[];
}

/** What happened to an entity at one block time. */
interface Moment {
  entityDeleted: boolean;
  readonly modelsDeleted: ModelTag[];
  readonly writes: Map<ModelTag, Record<string, ToriiValue>>;
}

/**
 * One entity's records as messages: one per distinct block time, oldest first, so that the admission rebuilds the
 * same ledger (members with their own times, tombstones as floors). At one time a delete goes before the writes it did
 * not wipe (they came after it: ties go to the later arrival), so an entity delete, a model's delete and a write to
 * that model at the same second become separate messages in that order.
 */
export function entityMessages(entityId: string, tombstoneAt: number | undefined, records: Iterable<EntityModelRecord>): ToriiEntityMessage[] {
  const moments = new Map<number, Moment>();
  const moment = (at: number): Moment => {
    let found = moments.get(at);
    if (found === undefined) {
      found = { entityDeleted: false, modelsDeleted: [], writes: new Map() };
      moments.set(at, found);
    }
    return found;
  };
  if (tombstoneAt !== undefined) moment(tombstoneAt).entityDeleted = true;
  for (const record of records) {
    if (record.deletedAt !== undefined) moment(record.deletedAt).modelsDeleted.push(record.model);
    for (let i = 0; i < record.names.length; i += 1) {
      const { writes } = moment(record.ats[i] as number);
      let members = writes.get(record.model);
      if (members === undefined) {
        members = {};
        writes.set(record.model, members);
      }
      members[record.names[i] as string] = record.values[i] as ToriiValue;
    }
  }
  const messages: ToriiEntityMessage[] = [];
  for (const at of [...moments.keys()].sort((a, b) => a - b)) {
    const { entityDeleted, modelsDeleted, writes } = moments.get(at) as Moment;
    if (entityDeleted) messages.push(message(entityId, at, {}));
    const first: Record<ModelTag, Record<string, ToriiValue>> = {};
    const after: Record<ModelTag, Record<string, ToriiValue>> = {};
    for (const model of modelsDeleted) first[model] = {};
    for (const [model, members] of writes) (modelsDeleted.includes(model) ? after : first)[model] = members;
    if (Object.keys(first).length > 0) messages.push(message(entityId, at, first));
    if (Object.keys(after).length > 0) messages.push(message(entityId, at, after));
  }
  return messages;
}

/**
 * Admitted changes as messages, for relaying to follower tabs: merged per entity in arrival order first (a burst that
 * rewrote an entity many times relays its outcome once), grouped by scope.
 */
export function changesToMessages(changes: readonly AdmittedChange[]): ScopedMessages[] {
  const merged = new DirtySet();
  merged.note(changes);
  const byScope = new Map<LedgerScope, ToriiEntityMessage[]>();
  for (const entity of merged.take()) {
    let list = byScope.get(entity.scope);
    if (list === undefined) {
      list = [];
      byScope.set(entity.scope, list);
    }
    list.push(...entityMessages(entity.entityId, entity.tombstoneAt, entity.models.values()));
  }
  return [...byScope].map(([scope, messages]) => ({ scope, messages }));
}

function message(entityId: string, at: number, models: Record<ModelTag, Record<string, ToriiValue>>): ToriiEntityMessage {
  return { hashed_keys: entityId, models, executed_at: at, updated_at: at, created_at: at };
}

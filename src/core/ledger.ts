import type { EntityId } from "./entity-id";
import { LedgerCore, type DeleteDecision, type EntityDeleteDecision, type LedgerStats, type MemberClock } from "./ledger-core";
import { describeEntity, type LedgerEntry } from "./ledger-entry";
import type { LedgerModel } from "./ledger-store";
import { RejectedWrites } from "./rejected-writes";
import type { LedgerScope, ModelTag } from "./types";
import { NO_VERSION, packVersion, type Version } from "./version";

export type { DeleteDecision, EntityDeleteDecision, LedgerStats, MemberClock } from "./ledger-core";
export type { LedgerEntry } from "./ledger-entry";

/**
 * Versions per entity × model (and per member for partial updates) plus tombstones: it answers "apply or drop?" and
 * records what was applied, so nothing older than what was applied ever lands. Stored in columns (see LedgerStore):
 * the admission path works on the pending store's columns (LedgerCore); these are the same decisions by tag and member
 * name, and the reads reconciliation, probes, tools and tests need.
 */
export class EntityLedger extends LedgerCore {
  /** Writes received and kept out (see RejectedWrites): what the client saw, beside what it applied. */
  readonly rejected = new RejectedWrites();

  admitWrite(entityId: EntityId, model: ModelTag, members: ReadonlyMap<string, Version | MemberClock>, complete: boolean): Set<string> {
    const s = this.store;
    const index = s.model(model);
    const columns = [...members.keys()].map((name) => s.column(index, name));
    const width = (s.models[index] as LedgerModel).names.length;
    const versions = new Float64Array(width).fill(Number.NaN);
    const ats = new Float64Array(width).fill(Number.NaN);
    [...members.values()].forEach((value, i) => {
      const clock = typeof value === "number" ? { version: value, at: value } : value;
      versions[columns[i] as number] = clock.version;
      ats[columns[i] as number] = clock.at;
    });
    const slot = s.slot(entityId);
    const admitted = new Uint8Array(width);
    if (this.check(slot, index, versions, ats, 0, width, admitted) > 0) this.commit(slot, index, versions, ats, 0, width, admitted, complete);
    return new Set([...members.keys()].filter((_, i) => admitted[columns[i] as number] === 1));
  }

  admitModelDelete(entityId: EntityId, model: ModelTag, version: Version): DeleteDecision {
    return this.deleteModelAt(this.store.slot(entityId), this.store.model(model), version);
  }

  admitEntityDelete(entityId: EntityId, version: Version): EntityDeleteDecision {
    return this.deleteEntityAt(this.store.slot(entityId), version);
  }

  noteSeen(entityId: EntityId, executedAt: number): void {
    this.noteSeenAt(this.store.slot(entityId), executedAt);
  }

  /** `noteSeen` for an entity the ledger already tracks; others are out of the synced scope and cost no memory. */
  noteSeenIfKnown(entityId: EntityId, executedAt: number): boolean {
    const slot = this.store.slots.get(entityId);
    if (slot === undefined) return false;
    this.noteSeenAt(slot, executedAt);
    return true;
  }

  /** The newest entity-wide `executed_at` the client has seen for the entity, or `undefined` if it never heard of it. */
  seenOf(entityId: EntityId): number | undefined {
    const slot = this.store.slots.get(entityId);
    const seen = slot === undefined ? -1 : this.store.seenAt(slot);
    return seen < 0 ? undefined : seen;
  }

  /** The block time (packed seconds) of the newest change applied to a model of an entity, or `NO_VERSION`. */
  versionOf(entityId: EntityId, model: ModelTag): Version {
    const record = this.recordOf(entityId, model);
    return record < 0 ? NO_VERSION : this.store.atOf(record);
  }

  /** The block time (packed seconds) of the newest change applied to any model of the entity, or `NO_VERSION`. */
  newestOfEntity(entityId: EntityId): Version {
    const s = this.store;
    const slot = s.slots.get(entityId);
    if (slot === undefined) return NO_VERSION;
    let newest = s.floorOf(slot);
    for (let model = 0; model < s.models.length; model += 1) {
      const record = s.record(slot, model);
      if (record >= 0) newest = Math.max(newest, s.atOf(record));
    }
    return newest;
  }

  isDeleted(entityId: EntityId, model: ModelTag): boolean {
    const record = this.recordOf(entityId, model);
    return record >= 0 && this.store.deletedOf(record) === 1;
  }

  /** Models of the entity that are tombstones (deleted, and remembered so nothing older lands). */
  deletedModels(entityId: EntityId): ModelTag[] {
    const s = this.store;
    const slot = s.slots.get(entityId);
    if (slot === undefined) return [];
    const deleted: ModelTag[] = [];
    for (let model = 0; model < s.models.length; model += 1) {
      const record = s.record(slot, model);
      if (record >= 0 && s.deletedOf(record) === 1) deleted.push((s.models[model] as LedgerModel).tag);
    }
    return deleted;
  }

  /** Models of the entity that are live (not tombstones). */
  liveModels(entityId: EntityId): ModelTag[] {
    const s = this.store;
    const slot = s.slots.get(entityId);
    if (slot === undefined) return [];
    const live: ModelTag[] = [];
    for (let model = 0; model < s.models.length; model += 1) {
      const record = s.record(slot, model);
      if (record >= 0 && s.deletedOf(record) === 0) live.push((s.models[model] as LedgerModel).tag);
    }
    return live;
  }

  /** Entities with at least one live model: what reconciliation weighs a removal plan against. */
  liveEntityCount(): number {
    return this.store.liveEntities;
  }

  /** Live (not deleted) entity × model records: what the client holds, to compare with a server's row count. */
  liveModelCount(): number {
    return this.store.liveRecords;
  }

  /**
   * A walk over the entities the ledger holds now, a slice at a time, while the ledger may change between slices:
   * entities made after it began are never visited. No copy of the ids: at 100,000 entities copying them was one block
   * of 3-10 ms before the first slice. Close it when done or abandoned.
   */
  walk(): LedgerWalk {
    const store = this.store;
    store.openWalk();
    let next = 0;
    let open = true;
    return {
      step(visit, stop) {
        if (!open || next < 0) return false;
        next = store.forEachSlotFrom(next, (slot) => (store.madeDuringWalk(slot) ? undefined : visit(store.ids[slot] as EntityId)), stop);
        return next >= 0;
      },
      close() {
        if (!open) return;
        open = false;
        store.closeWalk();
      },
    };
  }

  /** The newest version the ledger has applied anywhere: how far the client has caught up. */
  newestVersion(): Version {
    let newest = NO_VERSION;
    this.store.forEachSlot((slot) => {
      newest = Math.max(newest, this.newestOfEntity(this.store.ids[slot] as EntityId));
    });
    return newest;
  }

  /**
   * Forget tombstones older than `olderThan`, to keep memory bounded in long sessions. A write older than a forgotten
   * tombstone could land again, so pass a version older than anything still in flight (e.g. the last replay's start).
   */
  pruneTombstones(olderThan: Version): number {
    return this.pruneTombstonesFrom(olderThan, 0, () => false).pruned;
  }

  /** One slice of `pruneTombstones`: from slot `from` until `stop()`; `next` is where to resume (-1: the walk is done). */
  pruneTombstonesFrom(olderThan: Version, from: number, stop: () => boolean): { readonly pruned: number; readonly next: number } {
    const s = this.store;
    let pruned = 0;
    const next = s.forEachSlotFrom(
      from,
      (slot) => {
        let left = 0;
        for (let model = 0; model < s.models.length; model += 1) {
          const record = s.record(slot, model);
          if (record < 0) continue;
          if (s.deletedOf(record) === 1 && s.atOf(record) < olderThan) {
            s.removeRecord(slot, model);
            pruned += 1;
          } else left += 1;
        }
        const floor = s.floorOf(slot);
        // An entity known only as seen (its models were rejected) is kept while it was seen recently: a probe asks for it.
        if (left === 0 && floor < olderThan && (floor !== NO_VERSION || packVersion(s.seenAt(slot), 0) < olderThan)) {
          // The entity's own floor was a tombstone too (a whole-entity delete).
          if (floor !== NO_VERSION) pruned += 1;
          s.removeSlot(slot);
        }
      },
      stop,
    );
    return { pruned, next };
  }

  stats(): LedgerStats {
    const s = this.store;
    let tombstones = 0;
    let memberVersions = 0;
    s.forEachSlot((slot) => {
      for (let model = 0; model < s.models.length; model += 1) {
        const record = s.record(slot, model);
        if (record < 0) continue;
        if (s.deletedOf(record) === 1) tombstones += 1;
        for (const version of s.membersOf(record) ?? []) if (version === version) memberVersions += 1;
      }
    });
    return { entities: s.slots.size, models: s.records, tombstones, memberVersions };
  }

  /** What the ledger holds for one entity, in plain units (for the inspector and the debug panel), or `undefined`. */
  describe(entityId: EntityId): LedgerEntry | undefined {
    const slot = this.store.slots.get(entityId);
    return slot === undefined ? undefined : describeEntity(this.store, entityId, slot);
  }

  clear(): void {
    this.store.clear();
    this.rejected.clear();
  }

  private recordOf(entityId: EntityId, model: ModelTag): number {
    const s = this.store;
    const slot = s.slots.get(entityId);
    const index = s.modelIndex.get(model);
    return slot === undefined || index === undefined ? -1 : s.record(slot, index);
  }
}

/** A walk over a ledger's entities (see `EntityLedger.walk`). */
export interface LedgerWalk {
  /** Visit entities from where the last step stopped until `stop()` (asked after each): whether any are left. */
  step(visit: (entityId: EntityId) => void, stop: () => boolean): boolean;
  /** Done or abandoned: the ledger stops noting what is made meanwhile once no walk is open. */
  close(): void;
}

/** The two ledgers of a pipeline (entities and event messages are versioned apart), laid out as the bound models. */
export function ledgersFor(layout: ReadonlyArray<{ readonly model: ModelTag; readonly fields: readonly string[] }>, ownVersioned: (model: ModelTag) => boolean): Record<LedgerScope, EntityLedger> {
  const models = layout.map((binding) => ({ tag: binding.model, fields: binding.fields }));
  return { entities: new EntityLedger(ownVersioned, models), events: new EntityLedger(ownVersioned, models) };
}

/** The entity's slot in the ledger of its scope: how the pending stores find an entity (one hash lookup). */
export function entitySlotIn(ledgers: Readonly<Record<LedgerScope, EntityLedger>>): (scope: LedgerScope, entityId: EntityId) => number {
  return (scope, entityId) => ledgers[scope].slot(entityId);
}

import type { AdmittedChange } from "../core/ports";
import type { LedgerScope, ModelTag } from "../core/types";
import { bucketOf } from "./entity-row";
import { BUCKETS_PER_SCOPE, type BucketKey, type EntityModelRecord, type EntityState } from "./layout";
import { applyEntityDelete, applyModelDelete, applyWrite, emptyRecord } from "./merge";

/**
 * Everything changed about one entity since it was last written, already merged in arrival order: its tombstone (if it
 * was deleted) and a record per model touched. The unit of a write: one entity lands whole or not at all.
 */
export type DirtyEntity = EntityState;

/** The dirty entities of one bucket: the unit of a write (a bucket is read, merged and put whole, in one slice). */
export interface BucketGroup {
  readonly key: BucketKey;
  readonly entities: DirtyEntity[];
}

const SLOTS = 2 * BUCKETS_PER_SCOPE;

/**
 * Admitted changes merged per entity, so a burst that rewrites an entity a thousand times is written once. Memory is
 * bounded by the entities touched, not by the changes. `newestAt` is the newest block time noted.
 */
export class DirtySet {
  private entities = new Map<string, DirtyEntity>();
  /**
   * The same entities by bucket: one slot per bucket of each scope, in the order IndexedDB sorts their keys ("entities"
   * before "events", then the bucket). A flush takes them grouped without a pass over every entity: after a cold boot
   * that pass (100,000 entities) was one 20 ms task in Chromium, before the first write slice.
   */
  private buckets: Array<DirtyEntity[] | undefined> | undefined;
  newestAt = -1;

  /** @param byBucket Whether to keep the grouping `takeGroups` hands over (the writer's set; a relay's takes a list). */
  constructor(private readonly byBucket = false) {
    if (byBucket) this.buckets = new Array<DirtyEntity[] | undefined>(SLOTS);
  }

  get size(): number {
    return this.entities.size;
  }

  note(changes: readonly AdmittedChange[]): void {
    for (const change of changes) this.noteOne(change);
  }

  /** Hand over everything noted so far, in arrival order, and start empty. */
  take(): DirtyEntity[] {
    const taken = [...this.entities.values()];
    this.reset();
    return taken;
  }

  /** Hand over everything noted so far grouped by bucket, in key order, and start empty: what one flush writes. */
  takeGroups(): BucketGroup[] {
    const groups: BucketGroup[] = [];
    const { buckets } = this;
    if (buckets === undefined) throw new Error("takeGroups() needs a DirtySet made with byBucket");
    for (let slot = 0; slot < SLOTS; slot += 1) {
      const entities = buckets[slot];
      if (entities !== undefined) groups.push({ key: slot < BUCKETS_PER_SCOPE ? ["entities", slot] : ["events", slot - BUCKETS_PER_SCOPE], entities });
    }
    this.reset();
    return groups;
  }

  private reset(): void {
    this.entities = new Map();
    if (this.byBucket) this.buckets = new Array<DirtyEntity[] | undefined>(SLOTS);
  }

  private noteOne(change: AdmittedChange): void {
    const entity = this.entity(change.scope, change.entityId);
    switch (change.kind) {
      case "write": {
        applyWrite(this.record(entity, change.model), change.members, change.values, change.ats);
        for (const at of change.ats) if (at > this.newestAt) this.newestAt = at;
        break;
      }
      case "delete_model":
        applyModelDelete(this.record(entity, change.model), change.at);
        if (change.at > this.newestAt) this.newestAt = change.at;
        break;
      case "delete_entity":
        if (entity.tombstoneAt === undefined || change.at > entity.tombstoneAt) entity.tombstoneAt = change.at;
        for (const record of entity.models.values()) applyEntityDelete(record, change.at);
        if (change.at > this.newestAt) this.newestAt = change.at;
        break;
    }
  }

  private entity(scope: LedgerScope, entityId: string): DirtyEntity {
    const key = `${scope}|${entityId}`;
    let entity = this.entities.get(key);
    if (entity === undefined) {
      entity = { scope, entityId, tombstoneAt: undefined, models: new Map() };
      this.entities.set(key, entity);
      const buckets = this.buckets;
      if (buckets !== undefined) {
        const slot = (scope === "entities" ? 0 : BUCKETS_PER_SCOPE) + bucketOf(entityId);
        const bucket = buckets[slot];
        if (bucket === undefined) buckets[slot] = [entity];
        else bucket.push(entity);
      }
    }
    return entity;
  }

  private record(entity: DirtyEntity, model: ModelTag): EntityModelRecord {
    let record = entity.models.get(model);
    if (record === undefined) {
      record = emptyRecord(entity.scope, entity.entityId, model);
      entity.models.set(model, record);
    }
    return record;
  }
}

import type { AdmittedChange } from "../core/ports";
import type { LedgerScope, ModelTag } from "../core/types";
import type { EntityModelRecord, EntityState } from "./layout";
import { applyEntityDelete, applyModelDelete, applyWrite, emptyRecord } from "./merge";

/**
 * Everything changed about one entity since it was last written, already merged in arrival order: its tombstone (if it
 * was deleted) and a record per model touched. The unit of a write: one entity lands whole or not at all.
 */
export type DirtyEntity = EntityState;

/**
 * Admitted changes merged per entity, so a burst that rewrites an entity a thousand times is written once. Memory is
 * bounded by the entities touched, not by the changes. `newestAt` is the newest block time noted.
 */
export class DirtySet {
  private entities = new Map<string, DirtyEntity>();
  newestAt = -1;

  get size(): number {
    return this.entities.size;
  }

  note(changes: readonly AdmittedChange[]): void {
    for (const change of changes) this.noteOne(change);
  }

  /** Hand over everything noted so far and start empty: what one flush writes. */
  take(): DirtyEntity[] {
    const taken = [...this.entities.values()];
    this.entities = new Map();
    return taken;
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

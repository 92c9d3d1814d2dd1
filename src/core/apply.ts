import type { SyncError } from "./errors";
import type { EntityLedger } from "./ledger";
import type { PendingEntity } from "./queue";
import type { LedgerScope } from "./types";
import type { Version } from "./version";
import type { RecsWriter } from "./writer/recs-writer";

export interface ApplyCounters {
  applied: number;
  droppedStale: number;
  lastAppliedVersion: Version;
  /** Newest `executed_at` (seconds) among items that landed. */
  lastExecutedAt: number;
  /** Newest `executed_at` (seconds) among every item processed, landed or stale: how far the client has seen. */
  seenExecutedAt: number;
  /** Deletes (entity or model) that landed: each may leave a tombstone in the ledger. */
  deletes: number;
}

export interface ApplierDeps {
  readonly ledgers: Readonly<Record<LedgerScope, EntityLedger>>;
  readonly writer: RecsWriter;
  readonly counters: ApplyCounters;
  readonly onRejected: (error: SyncError) => void;
}

/**
 * Applies drained queue items: the ledger decides what survives, the writer converts and writes it. Order inside an
 * item follows time: the entity delete, then model deletes, then member writes no older than them.
 */
export function createApplier({ ledgers, writer, counters, onRejected }: ApplierDeps): (items: PendingEntity[]) => void {
  return (items) => {
    for (const item of items) {
      const ledger = ledgers[item.scope];
      counters.seenExecutedAt = Math.max(counters.seenExecutedAt, item.executedAt);
      const { entityId } = item;
      ledger.noteSeen(entityId, item.executedAt);
      let landed = false;
      if (item.entityDeleteAt !== undefined) {
        const decision = ledger.admitEntityDelete(entityId, item.entityDeleteAt);
        if (decision.applied) {
          writer.removeEntity(entityId, decision.kept);
          counters.applied += 1;
          counters.deletes += 1;
          landed = true;
          counters.lastAppliedVersion = Math.max(counters.lastAppliedVersion, item.entityDeleteAt);
        } else counters.droppedStale += 1;
      }
      for (const [model, pending] of item.models) {
        const binding = writer.binding(model);
        if (binding === undefined) continue;
        if (pending.deleteAt !== undefined) {
          const decision = ledger.admitModelDelete(entityId, model, pending.deleteAt);
          if (decision.applied) {
            writer.remove(binding, entityId, decision.survivors);
            counters.applied += 1;
            counters.deletes += 1;
            landed = true;
            counters.lastAppliedVersion = Math.max(counters.lastAppliedVersion, pending.deleteAt);
          } else counters.droppedStale += 1;
        }
        if (pending.members.size === 0) continue;
        const converted = writer.convertPending(binding, entityId, pending.members);
        if (converted.errors.length > 0) {
          // A member that cannot be converted keeps the whole write out: never a torn component, the previous value stays.
          for (const error of converted.errors) onRejected(error);
          continue;
        }
        const versions = converted.versions;
        if (versions.size === 0) continue;
        const admitted = ledger.admitWrite(entityId, model, versions, writer.isComplete(binding, versions));
        if (admitted.size === 0) {
          counters.droppedStale += 1;
          continue;
        }
        let values = converted.values;
        if (admitted.size !== versions.size) {
          values = new Map();
          for (const member of admitted) values.set(member, converted.values.get(member));
        }
        for (const member of admitted) counters.lastAppliedVersion = Math.max(counters.lastAppliedVersion, (versions.get(member) as { at: Version }).at);
        writer.write(binding, entityId, values);
        counters.applied += 1;
        landed = true;
      }
      if (landed) counters.lastExecutedAt = Math.max(counters.lastExecutedAt, item.executedAt);
    }
  };
}

import type { DropRecorder } from "./drops";
import type { SyncError } from "./errors";
import type { EntityLedger } from "./ledger";
import type { PendingEntity } from "./queue";
import type { LedgerScope } from "./types";
import type { Version } from "./version";
import type { RecsWriter } from "./writer/recs-writer";

export interface AdmitCounters {
  applied: number;
  lastAppliedVersion: Version;
  /** Newest `executed_at` (seconds) among items that landed. */
  lastExecutedAt: number;
  /** Newest `executed_at` (seconds) among every item processed, landed or stale: how far the client has seen. */
  seenExecutedAt: number;
  /** Deletes (entity or model) that landed: each may leave a tombstone in the ledger. */
  deletes: number;
}

export interface AdmitDeps {
  readonly ledgers: Readonly<Record<LedgerScope, EntityLedger>>;
  readonly writer: RecsWriter;
  readonly counters: AdmitCounters;
  readonly drops: DropRecorder;
  /** A value that cannot be converted: counted per code and logged once. */
  readonly onUnconvertible: (error: SyncError) => void;
}

/**
 * THE place where an update lives or dies. Drained queue items meet the ledger here: it decides what survives, the
 * writer converts and writes it, and every refusal is recorded with its reason. Order inside an item follows time: the
 * entity delete, then model deletes, then member writes no older than them.
 */
export function createAdmission({ ledgers, writer, counters, drops, onUnconvertible }: AdmitDeps): (items: PendingEntity[]) => void {
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
        } else drops.drop("stale");
      }
      for (const [model, pending] of item.models) {
        // Only bound models are queued (the intake drops the others as unknown_model).
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
          } else drops.drop("stale");
        }
        if (pending.members.size === 0) continue;
        const converted = writer.convertPending(binding, entityId, pending.members);
        if (converted.unknownMembers > 0) drops.drop("unknown_member", converted.unknownMembers);
        if (converted.errors.length > 0) {
          // A member that cannot be converted keeps the whole write out: never a torn component, the previous value stays.
          drops.drop("unconvertible");
          for (const error of converted.errors) onUnconvertible(error);
          continue;
        }
        const versions = converted.versions;
        if (versions.size === 0) continue;
        const admitted = ledger.admitWrite(entityId, model, versions, writer.isComplete(binding, versions));
        if (admitted.size === 0) {
          drops.drop("stale");
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

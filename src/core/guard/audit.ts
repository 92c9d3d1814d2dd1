import { normalizeEntityId, type EntityId } from "../entity-id";
import type { EntityLedger } from "../ledger";
import type { SyncSource } from "../ports";
import { NO_VERSION, versionMajor } from "../version";
import type { ProbeVerdict } from "./liveness";

/** Writes audited at most per check: a busier window is skipped (inconclusive) rather than paged. */
export const AUDIT_LIMIT = 2_000;

export interface WriteAudit {
  /** One check: the writes that were on the server one check ago must all have reached the client. */
  audit(): Promise<ProbeVerdict>;
  /** After a replay: audit from the block time the replay started at (what it paged covers everything before). */
  restart(fromExecutedAt: number | undefined): void;
}

/**
 * A stream can lose updates without going silent (it drops frames, or a stall ends and the stream flows on): silence
 * never comes, so no probe runs. While streaming, every check reads the synced scope's writes in the window the
 * previous check closed — writes that had a whole interval to arrive — and compares each with the block time the
 * ledger holds for that entity × model. One the client never received is evidence.
 */
export function createWriteAudit(source: SyncSource, ledger: EntityLedger): WriteAudit | undefined {
  const { watermark, recentWrites } = source;
  if (watermark === undefined || recentWrites === undefined) return undefined;
  let from: number | undefined;
  let to: number | undefined;
  return {
    async audit() {
      const newest = (await watermark()).newestExecutedAt;
      if (from === undefined || to === undefined) {
        from ??= newest;
        to = newest;
        return { kind: "healthy", lagMs: 0 };
      }
      const window = { from, to };
      from = to;
      to = newest;
      if (window.to <= window.from) return { kind: "healthy", lagMs: 0 };
      const writes = await recentWrites(window.from, window.to, AUDIT_LIMIT);
      // A window this busy cannot be judged from a sample: the next check starts fresh.
      if (writes.length >= AUDIT_LIMIT) return { kind: "healthy", lagMs: 0 };
      for (const write of writes) {
        let entityId: EntityId;
        try {
          entityId = normalizeEntityId(write.entityId);
        } catch {
          continue;
        }
        const held = ledger.versionOf(entityId, write.model);
        if (held === NO_VERSION || versionMajor(held) < write.executedAt) {
          return { kind: "ahead", lagMs: 0, detail: `${write.model} of ${entityId} changed at ${write.executedAt} on the server and the stream never brought it` };
        }
      }
      return { kind: "healthy", lagMs: 0 };
    },
    restart(fromExecutedAt) {
      from = fromExecutedAt;
      to = undefined;
    },
  };
}

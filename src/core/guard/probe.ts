import type { EntityId } from "../entity-id";
import type { EntityLedger } from "../ledger";
import type { IndexerHead, SyncSource } from "../ports";
import { rowCollector } from "../replay/scope-rows";
import type { ModelTag } from "../types";
import { createWriteAudit } from "./audit";
import type { ProbeVerdict } from "./liveness";

export interface ProbeDeps {
  readonly source: SyncSource;
  /** The entities ledger. */
  readonly ledger: EntityLedger;
  isBound(model: ModelTag): boolean;
  /** Newest entity `executed_at` (seconds) among everything the client received. */
  seenExecutedAt(): number;
  /** Stream messages received so far: a rotation cycle trusts its count only if none arrived during it. */
  streamMessages(): number;
  /** Entities per rotating page. */
  readonly pageSize: number;
  /** The indexer head, each time a probe reads it. */
  onHead(head: IndexerHead): void;
}

export interface ScopeProbe {
  /**
   * One probe. `reason` is "silence" for the heartbeat, "audit" for the check of recent writes while the stream flows
   * (see audit.ts); any other reason wants an answer for the whole scope.
   */
  probe(reason: string): Promise<ProbeVerdict>;
  /** Whether the source can audit recent writes now (it reads Torii's SQL; a tab's role can change it). */
  readonly canAudit: boolean;
  /** After a replay that started when the server's newest write was `startedAt`: a fresh baseline, rotation and audit. */
  afterReplay(startedAt: number | undefined): Promise<void>;
}

/**
 * What the guard asks the server when the stream is silent.
 * - With the source's scoped SQL watermark (`toriiUrl`): the server is ahead when its newest write in the scope is newer
 *   than anything the client received, or when its row count moved away from what the client held after the last
 *   replay (a removal while the stream was stalled raises no timestamp).
 * - Without it: pages that rotate through the scope, `pageSize` entities per probe, comparing each row's entity-wide
 *   `executed_at` with the newest the client saw for that entity (like with like). A change to any synced entity is
 *   found within one rotation; at the end of a rotation with no stream message during it, entities the client holds
 *   but the server no longer lists are found too.
 * Either way it first asks the indexer for its head, when the client can tell: a cheap proof that Torii answers.
 */
export function createScopeProbe(deps: ProbeDeps): ScopeProbe {
  const { source, ledger } = deps;
  let baseline: number | undefined;
  /** A replay ended but its offset could not be measured consistently: the next quiet probe measures it. */
  let baselinePending = false;
  let cursor: string | undefined;
  let cycleStartMessages = 0;
  let cycleLive = new Set<EntityId>();
  let verdict: ProbeVerdict | undefined;

  const resetRotation = (): void => {
    cursor = undefined;
    cycleLive = new Set();
    cycleStartMessages = deps.streamMessages();
  };
  const ahead = (detail: string, lagMs = 0): ProbeVerdict => ({ kind: "ahead", lagMs, detail });

  // Reads each row of a rotating page; the first sign of lag becomes the page's verdict.
  const rows = rowCollector(deps.isBound, (entityId, executedAt) => {
    if (verdict !== undefined) return;
    const seen = ledger.seenOf(entityId);
    if (seen === undefined) verdict = ahead(`entity ${entityId} is on the server but the client never received it`);
    else if (executedAt > seen) verdict = ahead(`entity ${entityId} changed at ${executedAt}, the client last saw it at ${seen}`);
    else if (ledger.liveModels(entityId).length > 0) cycleLive.add(entityId);
  });

  const sqlProbe = async (watermark: () => Promise<{ newestExecutedAt: number; count: number }>): Promise<ProbeVerdict> => {
    const heldBefore = ledger.liveModelCount();
    const server = await watermark();
    const behind = server.newestExecutedAt - deps.seenExecutedAt();
    if (behind > 0) return ahead(`the server's newest synced write is ${behind} s newer than anything the client received`, behind * 1000);
    const held = ledger.liveModelCount();
    const offset = server.count - held;
    // Counts compare only when the client's did not move during the read (the stream delivered something meanwhile).
    if (held !== heldBefore) return { kind: "healthy", lagMs: 0 };
    measured(offset);
    if (baseline !== undefined && offset !== baseline) {
      return ahead(`the server holds ${server.count} synced components, ${offset - baseline > 0 ? "more" : "fewer"} than the client expects`);
    }
    return { kind: "healthy", lagMs: 0 };
  };

  const rotate = async (reason: string): Promise<ProbeVerdict> => {
    if (!source.scopes.includes("entities")) return { kind: "blind" };
    if (cursor === undefined) resetRotation();
    verdict = undefined;
    cursor = (await source.fetchPage("entities", cursor, deps.pageSize, rows)).nextCursor;
    if (verdict !== undefined) {
      resetRotation();
      return verdict;
    }
    // A probe for a tab back from sleep (or anything but silence) needs the whole scope vouched for: a page is not that.
    if (cursor !== undefined) return reason === "silence" ? { kind: "partial" } : { kind: "blind" };
    const quiet = deps.streamMessages() === cycleStartMessages;
    const held = ledger.liveEntityCount();
    const listed = cycleLive.size;
    resetRotation();
    if (quiet && held > listed) return ahead(`${held - listed} entities the client holds are no longer listed by the server`);
    return reason === "silence" ? { kind: "healthy", lagMs: 0 } : { kind: "blind" };
  };

  const measured = (offset: number): void => {
    if (baseline !== undefined || !baselinePending) return;
    baseline = offset;
    baselinePending = false;
  };
  const audit = createWriteAudit({ source, ledger, baseline: () => baseline, measured, seenExecutedAt: deps.seenExecutedAt });
  return {
    get canAudit() {
      return audit.available;
    },
    async probe(reason) {
      if (reason === "audit") return audit.audit();
      const head = await source.head?.();
      if (head !== undefined) deps.onHead(head);
      return source.watermark === undefined ? rotate(reason) : sqlProbe(source.watermark);
    },
    async afterReplay(startedAt) {
      resetRotation();
      audit.restart(startedAt);
      // The previous replay's offset no longer holds; none is compared until this one is measured.
      baseline = undefined;
      baselinePending = false;
      if (source.watermark === undefined) return;
      const measuredAt = ledger.liveModelCount();
      try {
        const server = await source.watermark();
        // One consistent moment, or none: a component the stream delivered (or the server committed and the stream
        // still carries) while the count was read would shift the offset for good, and a quiet, healthy world would
        // then look behind at every probe. Then the next quiet probe measures it.
        if (ledger.liveModelCount() === measuredAt && deps.seenExecutedAt() >= server.newestExecutedAt) baseline = server.count - measuredAt;
        else baselinePending = true;
      } catch {
        // No baseline: the next probes compare timestamps only, until a replay measures one.
        baseline = undefined;
      }
    },
  };
}

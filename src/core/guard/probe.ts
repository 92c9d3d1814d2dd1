import type { EntityId } from "../entity-id";
import type { EntityLedger } from "../ledger";
import type { SyncSource } from "../source-types";
import type { ModelTag } from "../types";
import { readScopeRow } from "../scope-rows";
import type { ProbeVerdict } from "./liveness";

/** The SQL watermark of the synced scope: newest `internal_executed_at` (seconds) and rows, over the bound models. */
export interface ScopeWatermark {
  readonly newestExecutedAt: number;
  readonly count: number;
}

export interface ProbeDeps {
  readonly source: SyncSource;
  /** The entities ledger. */
  readonly ledger: EntityLedger;
  isBound(model: ModelTag): boolean;
  /** The scoped SQL watermark, when the client has `toriiUrl` and its clause has an SQL form. */
  readonly watermark: (() => Promise<ScopeWatermark>) | undefined;
  /** Newest entity `executed_at` (seconds) among everything the client received. */
  seenExecutedAt(): number;
  /** Stream messages received so far: a rotation cycle trusts its count only if none arrived during it. */
  streamMessages(): number;
  /** Entities per rotating page. */
  readonly pageSize: number;
}

export interface ScopeProbe {
  /** One probe. `reason` is "silence" for the heartbeat; any other reason wants an answer for the whole scope. */
  probe(reason: string): Promise<ProbeVerdict>;
  /** After a replay: the SQL row count the client agrees with, and a fresh rotation. */
  afterReplay(): Promise<void>;
}

/**
 * What the guard asks the server when the stream is silent.
 * - With the scoped SQL watermark: the server is ahead when its newest write in the scope is newer than anything the
 *   client received, or when its row count moved away from what the client held after the last replay (a removal while
 *   the stream was stalled raises no timestamp).
 * - Without it: pages that rotate through the scope, `pageSize` entities per probe, comparing each row's entity-wide
 *   `executed_at` with the newest the client saw for that entity (like with like). A change to any synced entity is
 *   found within one rotation; at the end of a rotation with no stream message during it, entities the client holds
 *   but the server no longer lists are found too.
 */
export function createScopeProbe(deps: ProbeDeps): ScopeProbe {
  let baseline: number | undefined;
  let cursor: string | undefined;
  let cycleStartMessages = 0;
  let cycleLive = new Set<EntityId>();

  const resetRotation = (): void => {
    cursor = undefined;
    cycleLive = new Set();
    cycleStartMessages = deps.streamMessages();
  };

  const sqlProbe = async (watermark: () => Promise<ScopeWatermark>): Promise<ProbeVerdict> => {
    const server = await watermark();
    const behind = server.newestExecutedAt - deps.seenExecutedAt();
    if (behind > 0) {
      return { kind: "ahead", lagMs: behind * 1000, detail: `the server's newest synced write is ${behind} s newer than anything the client received` };
    }
    const offset = server.count - deps.ledger.liveModelCount();
    if (baseline !== undefined && offset !== baseline) {
      return { kind: "ahead", lagMs: 0, detail: `the server holds ${server.count} synced components, ${offset - baseline > 0 ? "more" : "fewer"} than the client expects` };
    }
    return { kind: "healthy", lagMs: 0 };
  };

  const rotate = async (reason: string): Promise<ProbeVerdict> => {
    const scope = deps.source.scopes.includes("entities") ? "entities" : undefined;
    if (scope === undefined) return { kind: "blind" };
    if (cursor === undefined) {
      cycleLive = new Set();
      cycleStartMessages = deps.streamMessages();
    }
    const page = await deps.source.fetchPage(scope, cursor, deps.pageSize, "replay");
    for (const raw of page.items) {
      const row = readScopeRow(raw, deps.isBound);
      if (row === undefined) continue;
      const seen = deps.ledger.seenOf(row.entityId);
      if (seen === undefined) return ahead(`entity ${row.entityId} is on the server but the client never received it`);
      if (row.executedAt > seen) return ahead(`entity ${row.entityId} changed at ${row.executedAt}, the client last saw it at ${seen}`);
      if (deps.ledger.liveModels(row.entityId).length > 0) cycleLive.add(row.entityId);
    }
    cursor = page.nextCursor;
    // A probe for a tab back from sleep (or anything but silence) needs the whole scope vouched for: a page is not that.
    if (cursor !== undefined) return reason === "silence" ? { kind: "partial" } : { kind: "blind" };
    const quiet = deps.streamMessages() === cycleStartMessages;
    const held = deps.ledger.liveEntityCount();
    const listed = cycleLive.size;
    resetRotation();
    if (quiet && held > listed) return ahead(`${held - listed} entities the client holds are no longer listed by the server`);
    return reason === "silence" ? { kind: "healthy", lagMs: 0 } : { kind: "blind" };
  };

  const ahead = (detail: string): ProbeVerdict => {
    resetRotation();
    return { kind: "ahead", lagMs: 0, detail };
  };

  return {
    probe: (reason) => (deps.watermark === undefined ? rotate(reason) : sqlProbe(deps.watermark)),
    async afterReplay() {
      resetRotation();
      if (deps.watermark === undefined) return;
      const measuredAt = deps.ledger.liveModelCount();
      try {
        const server = await deps.watermark();
        baseline = server.count - measuredAt;
      } catch {
        // No baseline: the next probes compare timestamps only, until a replay measures one.
        baseline = undefined;
      }
    },
  };
}

import { normalizeEntityId, type EntityId } from "../entity-id";
import type { EntityLedger } from "../ledger";
import type { ScopeWatermark, SyncSource } from "../ports";
import { NO_VERSION, versionMajor } from "../version";
import type { ProbeVerdict } from "./liveness";

/** Writes audited at most per check: a busier window is skipped (inconclusive) rather than paged. */
export const AUDIT_LIMIT = 2_000;

/**
 * Checks in a row whose scope count must disagree with the ledger's before the disagreement is evidence. One check can
 * catch a creation or removal the stream is still carrying (the count is read on the server, the ledger a round trip
 * later); a loss stays, so it disagrees again one interval later.
 */
export const COUNT_STRIKES = 2;

export interface WriteAuditDeps {
  readonly source: SyncSource;
  readonly ledger: EntityLedger;
  /**
   * The server's scope count minus the ledger's live records, measured after the last replay (a consistent moment), or
   * `undefined` while none is known: the offset a consistent world keeps (rows the client cannot read, say).
   */
  baseline(): number | undefined;
  /** A consistent offset (server count − client count) read by the audit: taken as the baseline if none is measured. */
  measured?(offset: number): void;
  /** Newest entity `executed_at` (seconds) among everything the client received. */
  seenExecutedAt(): number;
}

export interface WriteAudit {
  /**
   * Whether the source can be audited now (it reads Torii's SQL). Read at each check, not once: a source can change
   * what it offers (a tab that becomes the leader gains the SQL reads a follower's relay lacks).
   */
  readonly available: boolean;
  /** One check: the writes that were on the server one check ago must all have reached the client, and no row gone. */
  audit(): Promise<ProbeVerdict>;
  /** After a replay: audit from the block time the replay started at (what it paged covers everything before). */
  restart(fromExecutedAt: number | undefined): void;
}

const HEALTHY: ProbeVerdict = { kind: "healthy", lagMs: 0 };

/**
 * A stream can lose updates without going silent (it drops frames, or a stall ends and the stream flows on): silence
 * never comes, so no probe runs. While streaming, every check reads the scope's SQL watermark (its newest block time and
 * its row count) and:
 * - reads the synced scope's writes in the window the previous check closed — writes that had a whole interval to
 *   arrive — and compares each with the block time the ledger holds for that entity × model. The window includes its
 *   first second: timestamps are whole seconds, and a write in the second a replay started at can come after the
 *   replay's pages read its entity (while the stream still loses it).
 * - compares the row count with the ledger's live records (against the offset measured after the last replay): a lost
 *   removal leaves no row to read, only a count that no longer matches, check after check.
 * Either one the client never received is evidence. A world that is quiet or consistent gives neither.
 */
export function createWriteAudit(deps: WriteAuditDeps): WriteAudit {
  const { source, ledger } = deps;
  let from: number | undefined;
  let to: number | undefined;
  let strikes = 0;
  let lastDrift = 0;
  let checked: string | undefined;

  const countDrift = (server: ScopeWatermark, heldBefore: number): ProbeVerdict | undefined => {
    const held = ledger.liveModelCount();
    // A consistent reading here also serves as the offset a replay could not measure (see ScopeProbe.afterReplay).
    if (held === heldBefore && deps.seenExecutedAt() >= server.newestExecutedAt) deps.measured?.(server.count - held);
    const baseline = deps.baseline();
    // Not comparable yet: no offset measured, the stream changed what the client holds while the count was read, or
    // the server holds a write newer than anything received (the stream is still carrying it).
    if (baseline === undefined || held !== heldBefore || deps.seenExecutedAt() < server.newestExecutedAt) return undefined;
    const drift = server.count - held - baseline;
    if (drift === 0) {
      strikes = 0;
      return undefined;
    }
    // A loss keeps the same drift from check to check; what the stream was still carrying does not.
    strikes = drift === lastDrift ? strikes + 1 : 1;
    lastDrift = drift;
    if (strikes < COUNT_STRIKES) return undefined;
    strikes = 0;
    return {
      kind: "ahead",
      lagMs: 0,
      detail: `the server holds ${server.count} synced components, ${Math.abs(drift)} ${drift > 0 ? "more" : "fewer"} than the client expects, on ${COUNT_STRIKES} checks in a row`,
    };
  };

  const missedWrite = async (recentWrites: NonNullable<SyncSource["recentWrites"]>, window: { from: number; to: number }): Promise<ProbeVerdict | undefined> => {
    const writes = await recentWrites(window.from - 1, window.to, AUDIT_LIMIT);
    // A window this busy cannot be judged from a sample: the next check starts fresh.
    if (writes.length >= AUDIT_LIMIT) return undefined;
    for (const write of writes) {
      let entityId: EntityId;
      try {
        entityId = normalizeEntityId(write.entityId);
      } catch {
        continue;
      }
      const held = ledger.versionOf(entityId, write.model);
      // A write received and kept out (a value the schema cannot hold) reached the client: it is an error, not a loss.
      const received = Math.max(held === NO_VERSION ? -1 : versionMajor(held), ledger.rejected.newestOf(entityId, write.model));
      if (received < write.executedAt) {
        return { kind: "ahead", lagMs: 0, detail: `${write.model} of ${entityId} changed at ${write.executedAt} on the server and the stream never brought it` };
      }
    }
    return undefined;
  };

  return {
    get available() {
      return source.watermark !== undefined && source.recentWrites !== undefined;
    },
    async audit() {
      const { watermark, recentWrites } = source;
      if (watermark === undefined || recentWrites === undefined) return { kind: "blind" };
      const heldBefore = ledger.liveModelCount();
      const server = await watermark();
      const counted = countDrift(server, heldBefore);
      const newest = server.newestExecutedAt;
      if (from === undefined || to === undefined) {
        from ??= newest;
        to = newest;
        return counted ?? HEALTHY;
      }
      // A lagging client (nothing received as new as the window's end) may still be carrying the window's writes: judge
      // the window once the stream has brought something that new; until then it keeps growing, so nothing is skipped.
      // A stream that never gets there goes silent, and the silence probe sees the server ahead.
      if (deps.seenExecutedAt() < to) return counted ?? HEALTHY;
      const window = { from, to };
      from = to;
      to = newest;
      // A quiet world keeps closing the same one-second window: read it once.
      const key = `${window.from}:${window.to}`;
      if (window.to < window.from || key === checked) return counted ?? HEALTHY;
      checked = key;
      return (await missedWrite(recentWrites, window)) ?? counted ?? HEALTHY;
    },
    restart(fromExecutedAt) {
      from = fromExecutedAt;
      to = undefined;
      strikes = 0;
      lastDrift = 0;
      checked = undefined;
    },
  };
}

import type { EntityId } from "../entity-id";
import type { EntityLedger } from "../ledger";
import type { IntakeSink } from "../ports";
import type { LedgerScope, ModelTag } from "../types";
import { shardMap } from "../util/sharded-map";
import type { Removal } from "./reconcile";

/**
 * The sink a replay's pages go through: it forwards every call to the intake and notes what the snapshot holds —
 * which entities it listed, and which models a listed entity lacks that the ledger holds live (Torii removed them while
 * the client was not listening). Reconciliation reads both once the snapshot is whole.
 */
export class SnapshotTracker {
  /** The entities each scope's pages listed: sharded Maps (util/sharded-map.ts), so 100,000 ids never rehash in one add. */
  readonly seen = new Map<LedgerScope, Map<EntityId, true>>();
  missing: Removal[] = [];
  readonly sink: IntakeSink;
  private readonly present = new Set<ModelTag>();

  /**
   * @param trackMissing Whether a row's missing models mean removals: not when the pages are restricted to some models
   *   (then a row lists only those).
   */
  constructor(
    intake: IntakeSink,
    private readonly entitiesLedger: EntityLedger,
    trackMissing: boolean,
  ) {
    const present = this.present;
    this.sink = {
      write(scope, entityId, executedAt, model, members, memberCount) {
        present.add(model);
        intake.write(scope, entityId, executedAt, model, members, memberCount);
      },
      deleteModel(scope, entityId, executedAt, model) {
        intake.deleteModel(scope, entityId, executedAt, model);
      },
      deleteEntity: (scope, entityId, executedAt) => intake.deleteEntity(scope, entityId, executedAt),
      gap: () => intake.gap(),
      reject: (error, scope, entityId, executedAt) => {
        // A model that could not be read is still on the server: never removed for its absence.
        if (error.model !== undefined) present.add(error.model);
        else if (error.entityId !== undefined) this.keepUnreadRow(scope, error.entityId as EntityId, entityId === undefined);
        intake.reject(error, scope, entityId, executedAt);
      },
      entityEnd: (scope, entityId, executedAt) => {
        intake.entityEnd(scope, entityId, executedAt);
        this.seenIn(scope).set(entityId, true);
        if (trackMissing && scope === "entities") {
          for (const model of entitiesLedger.liveModels(entityId)) {
            if (!present.has(model)) this.missing.push({ entityId, model, version: entitiesLedger.versionOf(entityId, model) });
          }
        }
        present.clear();
      },
      closedStream: () => intake.closedStream(),
    };
  }

  /**
   * A row the server listed but whose id was all that could be read (its models or timestamps were malformed): the
   * entity exists, so it counts as listed with every live model present. Stale is acceptable, removed is not.
   * `ended` says the reject closed the message (no entityEnd follows, so nothing of it may stay in `present`).
   */
  private keepUnreadRow(scope: LedgerScope, entityId: EntityId, ended: boolean): void {
    this.seenIn(scope).set(entityId, true);
    if (ended) return;
    if (scope === "entities") for (const model of this.entitiesLedger.liveModels(entityId)) this.present.add(model);
  }

  /** Forget what was seen: the next attempt pages from the start. */
  restart(): void {
    this.seen.clear();
    this.missing = [];
  }

  seenIn(scope: LedgerScope): Map<EntityId, true> {
    let ids = this.seen.get(scope);
    if (ids === undefined) {
      ids = new Map();
      shardMap(ids);
      this.seen.set(scope, ids);
    }
    return ids;
  }
}

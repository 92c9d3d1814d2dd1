import type { EntityId } from "../entity-id";
import type { EntityLedger } from "../ledger";
import type { CoreLogger, SyncSource } from "../ports";
import type { LedgerScope, ModelTag } from "../types";
import type { Timers } from "../clock";
import { Slicer } from "../util/slicer";
import type { Version } from "../version";
import type { RecsWriter } from "../writer/recs-writer";
import { rereadScope } from "./scope-rows";

/** A model to remove because the authoritative snapshot no longer has it, at the version the client had. */
export interface Removal {
  readonly entityId: EntityId;
  readonly model: ModelTag;
  readonly version: Version;
}

export interface ReconcileLimits {
  /**
   * Largest share of the tracked entities one reconciliation may remove on one snapshot's word. Above it the snapshot is
   * suspect (a Torii answering empty pages without an error), so the removal waits for a confirmation: the SQL row count
   * of the scope (with `toriiUrl`), or a second snapshot that lacks the same components. An empty second snapshot
   * confirms only a plan smaller than `minRemovalsChecked`.
   * @default 0.5
   */
  readonly maxRemovalRatio: number;
  /**
   * Below this many removals the ratio is not checked (small worlds legitimately lose half their armies). A plan that
   * removes every tracked entity is checked whatever its size; below this many removals a second read of the scope that
   * is empty too confirms it (a small scope, one player's armies, can lose all of them while the client is offline, and
   * the stream never re-sends a missed deletion), above it an empty read confirms nothing. @default 20
   */
  readonly minRemovalsChecked: number;
}

/** The entities a full snapshot listed (a Set or a Map keyed by id). */
export interface SeenIds {
  has(entityId: string): boolean;
}

export const RECONCILE_DEFAULTS: ReconcileLimits = { maxRemovalRatio: 0.5, minRemovalsChecked: 20 };

/**
 * Models that the ledger holds live but the full snapshot lacks: whole entities the snapshot did not list, and models
 * missing from rows it did list (`missing`, noted while paging). Removing each at the version the client had means a
 * newer update (released from the boot buffer afterwards) still recreates it.
 */
export async function planRemovals(ledger: EntityLedger, seen: SeenIds, missing: readonly Removal[], isSynced: (model: ModelTag) => boolean, slicer: Slicer, tombstones?: Removal[]): Promise<Removal[]> {
  const removals: Removal[] = [];
  // The walk yields to the event loop, and the ledger may change meanwhile: it visits only the entities held when it began.
  const walk = ledger.walk();
  try {
    const visit = (entityId: EntityId): void => {
      if (seen.has(entityId)) return;
      for (const model of ledger.liveModels(entityId)) if (isSynced(model)) removals.push({ entityId, model, version: ledger.versionOf(entityId, model) });
      if (tombstones !== undefined) for (const model of ledger.deletedModels(entityId)) if (isSynced(model)) tombstones.push({ entityId, model, version: ledger.versionOf(entityId, model) });
    };
    while (walk.step(visit, () => slicer.due())) await slicer.pause();
  } finally {
    walk.close();
  }
  for (const removal of missing) {
    if (!ledger.isDeleted(removal.entityId, removal.model)) removals.push(removal);
    else tombstones?.push({ ...removal, version: ledger.versionOf(removal.entityId, removal.model) });
  }
  return removals;
}

/** Whether a plan removes suspiciously much of what the client tracks. */
export function isSuspicious(removals: readonly Removal[], trackedEntities: number, limits: ReconcileLimits): boolean {
  const entities = new Set(removals.map((removal) => removal.entityId)).size;
  // Every tracked entity gone is what an empty page without an error looks like, however small the scope (a clause
  // that syncs one player's ten armies): never on the snapshot's word alone.
  if (trackedEntities > 0 && entities >= trackedEntities) return true;
  if (removals.length < limits.minRemovalsChecked) return false;
  return entities > trackedEntities * limits.maxRemovalRatio;
}

/** How a suspicious removal plan can be confirmed. */
export interface RemovalConfirmation {
  /** The scope's SQL row count (entity × bound model), when the client has `toriiUrl`. */
  readonly countScope: (() => Promise<number>) | undefined;
  /** A second full read of the scope: each entity's bound models; `undefined` if it failed. */
  rereadScope(): Promise<ReadonlyMap<EntityId, ReadonlySet<ModelTag>> | undefined>;
  /** Live entity × model records the client holds now (the snapshot already admitted). */
  liveModelCount(): number;
  /** Whether an empty second read confirms the plan: a small one only (see `ReconcileLimits.minRemovalsChecked`). */
  readonly emptyConfirms: boolean;
}

/**
 * The removals an independent look agrees with, or `undefined` when none could be had. The SQL count agrees when the
 * server holds no more than what the client keeps after the removals (give or take what moved meanwhile); a second
 * snapshot agrees per component, and an empty one with a small plan only (`emptyConfirms`).
 */
export async function confirmRemovals(removals: readonly Removal[], confirm: RemovalConfirmation): Promise<{ readonly removals: readonly Removal[]; readonly by: "sql count" | "second snapshot" } | undefined> {
  if (confirm.countScope !== undefined) {
    const kept = confirm.liveModelCount() - removals.length;
    const server = await confirm.countScope().catch(() => undefined);
    if (server === undefined) return undefined;
    return server <= kept + Math.max(5, Math.ceil(kept * 0.01)) ? { removals, by: "sql count" } : undefined;
  }
  const rows = await confirm.rereadScope();
  if (rows === undefined || (rows.size === 0 && !confirm.emptyConfirms)) return undefined;
  return { removals: removals.filter(({ entityId, model }) => rows.get(entityId)?.has(model) !== true), by: "second snapshot" };
}

export interface ReconcileDeps {
  readonly ledgers: Readonly<Record<LedgerScope, EntityLedger>>;
  readonly writer: RecsWriter;
  readonly source: SyncSource;
  readonly pageLimit: number;
  readonly limits: ReconcileLimits;
  readonly log: CoreLogger;
  readonly counters: { reconciled: number; reconcileSkipped: number };
  readonly timers: Timers;
  isCancelled(): boolean;
  /** A component was removed (a persisted cache forgets it too). */
  onRemoved?(scope: LedgerScope, entityId: EntityId, model: ModelTag, version: Version): void;
  /**
   * Whether the snapshot's confirmed absences of models the ledger already holds deleted are told to `onRemoved` too:
   * after a tab took the lead, such a delete may have been relayed by the old leader and never written to the cache.
   */
  recordTombstones?(): boolean;
}

/**
 * Remove what the finished full snapshot lacks, for the synced scope: whole entities it did not list and models missing
 * from rows it did list. A plan that removes suspiciously much waits for a confirmation (see `confirmRemovals`).
 */
export async function reconcile(deps: ReconcileDeps, seen: ReadonlyMap<LedgerScope, SeenIds>, missing: readonly Removal[]): Promise<void> {
  const isBound = (model: ModelTag): boolean => deps.writer.binding(model) !== undefined;
  // At 100k entities the walk and the removals take far longer than a frame: in slices, the event loop let in between.
  const slicer = new Slicer(deps.timers, undefined, deps.isCancelled);
  for (const [scope, ids] of seen) {
    const ledger = deps.ledgers[scope];
    const tombstones: Removal[] | undefined = deps.recordTombstones?.() === true ? [] : undefined;
    let removals: readonly Removal[] = await planRemovals(ledger, ids, scope === "entities" ? missing : [], isBound, slicer, tombstones);
    if (deps.isCancelled()) return;
    for (const { entityId, model, version } of tombstones ?? []) deps.onRemoved?.(scope, entityId, model, version);
    if (removals.length === 0) continue;
    if (isSuspicious(removals, ledger.liveEntityCount(), deps.limits)) {
      const { source } = deps;
      const confirmed = await confirmRemovals(removals, {
        countScope: scope === "entities" && source.watermark !== undefined ? async () => (await (source.watermark as () => Promise<{ count: number }>)()).count : undefined,
        rereadScope: () => rereadScope(source, scope, deps.pageLimit, isBound),
        liveModelCount: () => ledger.liveModelCount(),
        emptyConfirms: removals.length < deps.limits.minRemovalsChecked,
      });
      if (deps.isCancelled()) return;
      if (confirmed === undefined) {
        deps.counters.reconcileSkipped += 1;
        deps.log.log("warn", `reconciliation would remove ${removals.length} components the snapshot lacks; too many to trust on its word and nothing confirmed it: skipped`);
        continue;
      }
      deps.log.log("info", `reconciliation removes ${confirmed.removals.length} components the snapshot lacks, confirmed by the ${confirmed.by}`);
      removals = confirmed.removals;
    }
    for (const { entityId, model, version } of removals) {
      if (slicer.due()) await slicer.pause();
      const binding = deps.writer.binding(model);
      if (binding === undefined) continue;
      const decision = ledger.admitModelDelete(entityId, model, version);
      if (!decision.applied) continue;
      deps.writer.remove(binding, entityId, decision.survivors);
      deps.onRemoved?.(scope, entityId, model, version);
    }
    deps.counters.reconciled += removals.length;
  }
  slicer.end();
}

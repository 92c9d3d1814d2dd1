import type { EntityId } from "./entity-id";
import type { EntityLedger } from "./ledger";
import type { ModelTag } from "./types";
import type { Version } from "./version";

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
   * of the scope (with `toriiUrl`), or a second snapshot that lacks the same components. An empty snapshot never
   * confirms anything.
   * @default 0.5
   */
  readonly maxRemovalRatio: number;
  /** Below this many removals the ratio is not checked (small worlds legitimately lose half their armies). @default 20 */
  readonly minRemovalsChecked: number;
}

export const RECONCILE_DEFAULTS: ReconcileLimits = { maxRemovalRatio: 0.5, minRemovalsChecked: 20 };

/**
 * Models that the ledger holds live but the full snapshot lacks: whole entities the snapshot did not list, and models
 * missing from rows it did list (`missing`, noted while paging). Removing each at the version the client had means a
 * newer update (released from the boot buffer afterwards) still recreates it.
 */
export function planRemovals(ledger: EntityLedger, seen: ReadonlySet<string>, missing: readonly Removal[], isSynced: (model: ModelTag) => boolean): Removal[] {
  const removals: Removal[] = [];
  for (const entityId of ledger.entityIds()) {
    if (seen.has(entityId)) continue;
    for (const model of ledger.liveModels(entityId)) if (isSynced(model)) removals.push({ entityId, model, version: ledger.versionOf(entityId, model) });
  }
  for (const removal of missing) if (!ledger.isDeleted(removal.entityId, removal.model)) removals.push(removal);
  return removals;
}

/** Whether a plan removes suspiciously much of what the client tracks. */
export function isSuspicious(removals: readonly Removal[], trackedEntities: number, limits: ReconcileLimits): boolean {
  if (removals.length < limits.minRemovalsChecked) return false;
  const entities = new Set(removals.map((removal) => removal.entityId)).size;
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
}

/**
 * The removals an independent look agrees with, or `undefined` when none could be had. The SQL count agrees when the
 * server holds no more than what the client keeps after the removals (give or take what moved meanwhile); a second
 * snapshot agrees per component, and an empty one agrees with nothing.
 */
export async function confirmRemovals(removals: readonly Removal[], confirm: RemovalConfirmation): Promise<{ readonly removals: readonly Removal[]; readonly by: "sql count" | "second snapshot" } | undefined> {
  if (confirm.countScope !== undefined) {
    const kept = confirm.liveModelCount() - removals.length;
    const server = await confirm.countScope().catch(() => undefined);
    if (server === undefined) return undefined;
    return server <= kept + Math.max(5, Math.ceil(kept * 0.01)) ? { removals, by: "sql count" } : undefined;
  }
  const rows = await confirm.rereadScope();
  if (rows === undefined || rows.size === 0) return undefined;
  return { removals: removals.filter(({ entityId, model }) => rows.get(entityId)?.has(model) !== true), by: "second snapshot" };
}

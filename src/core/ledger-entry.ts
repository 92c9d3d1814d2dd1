import type { EntityId } from "./entity-id";
import type { LedgerModel, LedgerStore } from "./ledger-store";
import type { ModelTag } from "./types";
import { NO_VERSION, versionMajor } from "./version";

/** One entity as the ledger holds it, in plain units: block times in seconds, own versions as they came. */
export interface LedgerEntry {
  readonly entityId: EntityId;
  /** Block time of the last whole-entity delete (nothing older lands), if any. */
  readonly deletedAt: number | undefined;
  /** Newest entity-wide `executed_at` of any message about it. */
  readonly seenAt: number | undefined;
  readonly models: ReadonlyArray<{
    readonly model: ModelTag;
    /** A tombstone: the model was deleted at `at`. */
    readonly deleted: boolean;
    /** Block time of the newest change applied to the model. */
    readonly at: number | undefined;
    /** The version every member is at least as new as (block time, or the model's own version member). */
    readonly version: number | undefined;
    /** Members written after `version` by partial updates, with their versions. */
    readonly members: Readonly<Record<string, number>>;
  }>;
}

const seconds = (version: number): number | undefined => (version === NO_VERSION ? undefined : versionMajor(version));

export function describeEntity(store: LedgerStore, entityId: EntityId, slot: number): LedgerEntry {
  const models: LedgerEntry["models"][number][] = [];
  for (let model = 0; model < store.models.length; model += 1) {
    const record = store.record(slot, model);
    if (record < 0) continue;
    const { tag, own, names } = store.models[model] as LedgerModel;
    const members: Record<string, number> = {};
    const versions = store.membersOf(record);
    if (versions !== undefined) versions.forEach((version, column) => version === version && (members[names[column] as string] = versionMajor(version)));
    const v = store.vOf(record);
    models.push({ model: tag, deleted: store.deletedOf(record) === 1, at: seconds(store.atOf(record)), version: own ? (v === NO_VERSION ? undefined : versionMajor(v)) : seconds(v), members });
  }
  const seen = store.seenAt(slot);
  return { entityId, deletedAt: seconds(store.floorOf(slot)), seenAt: seen < 0 ? undefined : seen, models };
}

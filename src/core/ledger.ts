import type { EntityId } from "./entity-id";
import type { ModelTag } from "./types";
import { clockOf, deleteModelRecord, findModel, NOTHING_SURVIVES, REFUSED, type DeleteDecision, type EntityDeleteDecision, type EntityRecord, type LedgerStats, type MemberClock } from "./ledger-records";
import { NO_VERSION, packVersion, versionMajor, type Version } from "./version";

export type { DeleteDecision, EntityDeleteDecision, LedgerStats, MemberClock } from "./ledger-records";

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

/**
 * Versions per entity × model (and per member for partial updates) plus tombstones: it answers "apply or drop?" and
 * records what was applied, so nothing older than what was applied ever lands. Ties apply (arrival order wins).
 */
export class EntityLedger {
  private readonly entities = new Map<EntityId, EntityRecord>();

  /**
   * @param ownVersioned Whether a model's writes are versioned by its own member (`versionPaths`) rather than by
   * `executed_at`: those compare writes by that member and everything else (deletes, floors) by block time.
   */
  constructor(private readonly ownVersioned: (model: ModelTag) => boolean = () => false) {}

  /**
   * Admit the delete of one model. On admission the model becomes a tombstone at `version`, except members written
   * after the delete (partial updates that arrived first): they survive, and the caller must keep them pending.
   */
  admitModelDelete(entityId: EntityId, model: ModelTag, version: Version): DeleteDecision {
    const entity = this.entityFor(entityId);
    if (version < entity.floor) return REFUSED;
    const record = findModel(entity, model);
    if (record === undefined) {
      entity.models.push({ tag: model, v: version, at: version, deleted: true, members: undefined });
      return NOTHING_SURVIVES;
    }
    return deleteModelRecord(record, version, this.ownVersioned(record.tag));
  }

  /**
   * Admit a write of some members, each with its own version. Returns the members that may land. `complete` says the
   * members cover the whole schema, which lets the ledger forget per-member versions.
   */
  admitWrite(entityId: EntityId, model: ModelTag, members: ReadonlyMap<string, Version | MemberClock>, complete: boolean): Set<string> {
    const entity = this.entityFor(entityId);
    let record = findModel(entity, model);
    const own = this.ownVersioned(model);
    const admitted = new Set<string>();
    for (const [member, value] of members) {
      const { version, at } = clockOf(value);
      // Floors and tombstones are block times: compared with the write's block time.
      if (at < entity.floor) continue;
      if (record !== undefined && !record.deleted) {
        // A live model: writes compare in the model's unit; a write that lacks its own version ties on block time.
        if (own && version === NO_VERSION ? at < record.at : version < Math.max(record.v, record.members?.get(member) ?? NO_VERSION)) continue;
      } else if (record !== undefined && at < record.at) continue;
      admitted.add(member);
    }
    if (admitted.size === 0) return admitted;
    if (record === undefined) {
      record = { tag: model, v: NO_VERSION, at: NO_VERSION, deleted: false, members: undefined };
      entity.models.push(record);
    } else if (record.deleted && own) {
      // A recreated model starts a new life: its own counter may start again from below where the old one ended.
      record.v = NO_VERSION;
      record.members = undefined;
    }
    record.deleted = false;
    const versionOf = (member: string): Version => {
      const { version } = clockOf(members.get(member) as Version | MemberClock);
      // A write without its own version takes the model's: it ties, it does not advance.
      return own && version === NO_VERSION ? Math.max(record.v, record.members?.get(member) ?? NO_VERSION) : version;
    };
    if (complete) {
      // Every member is now at least as new as the oldest of (what just landed, what was already newer): that is the
      // model's new floor, and only members above it need their own version.
      let floor = Infinity;
      for (const member of members.keys()) {
        const current = admitted.has(member) ? versionOf(member) : Math.max(record.v, record.members?.get(member) ?? NO_VERSION);
        floor = Math.min(floor, current);
      }
      record.v = Math.max(record.v, floor);
    }
    for (const member of admitted) {
      const version = versionOf(member);
      if (version > record.v) (record.members ??= new Map()).set(member, version);
      record.at = Math.max(record.at, clockOf(members.get(member) as Version | MemberClock).at);
    }
    if (record.members !== undefined) {
      for (const [member, version] of record.members) if (version <= record.v) record.members.delete(member);
      if (record.members.size === 0) record.members = undefined;
    }
    return admitted;
  }

  /**
   * Admit a whole-entity delete: every model no newer than it becomes a tombstone (members written after it survive),
   * and the entity's floor rises so that late writes older than the delete are dropped, even for models not seen yet.
   */
  admitEntityDelete(entityId: EntityId, version: Version): EntityDeleteDecision {
    const entity = this.entityFor(entityId);
    if (version < entity.floor) return { applied: false, kept: new Map() };
    entity.floor = version;
    const kept = new Map<ModelTag, readonly string[] | "all">();
    for (const record of entity.models) {
      const decision = deleteModelRecord(record, version, this.ownVersioned(record.tag));
      if (!decision.applied) kept.set(record.tag, "all");
      else if (decision.survivors.length > 0) kept.set(record.tag, decision.survivors);
    }
    return { applied: true, kept };
  }

  /** The block time (packed seconds) of the newest change applied to a model of an entity, or `NO_VERSION`. */
  versionOf(entityId: EntityId, model: ModelTag): Version {
    const entity = this.entities.get(entityId);
    const record = entity === undefined ? undefined : findModel(entity, model);
    return record === undefined ? NO_VERSION : record.at;
  }

  /** The block time (packed seconds) of the newest change applied to any model of the entity, or `NO_VERSION`. */
  newestOfEntity(entityId: EntityId): Version {
    const entity = this.entities.get(entityId);
    if (entity === undefined) return NO_VERSION;
    let newest = entity.floor;
    for (const record of entity.models) newest = Math.max(newest, record.at);
    return newest;
  }

  /** What the ledger holds for one entity, in plain units (for the inspector and the debug panel), or `undefined`. */
  describe(entityId: EntityId): LedgerEntry | undefined {
    const entity = this.entities.get(entityId);
    if (entity === undefined) return undefined;
    const seconds = (version: Version): number | undefined => (version === NO_VERSION ? undefined : versionMajor(version));
    return {
      entityId,
      deletedAt: seconds(entity.floor),
      seenAt: entity.seen < 0 ? undefined : entity.seen,
      models: entity.models.map((record) => ({
        model: record.tag,
        deleted: record.deleted,
        at: seconds(record.at),
        version: this.ownVersioned(record.tag) ? (record.v === NO_VERSION ? undefined : versionMajor(record.v)) : seconds(record.v),
        members: Object.fromEntries([...(record.members ?? [])].map(([member, version]) => [member, versionMajor(version)])),
      })),
    };
  }

  /** Record that a message about the entity, stamped `executedAt` (seconds), reached the client. */
  noteSeen(entityId: EntityId, executedAt: number): void {
    const entity = this.entityFor(entityId);
    if (executedAt > entity.seen) entity.seen = executedAt;
  }

  /** `noteSeen` for an entity the ledger already tracks; others are out of the synced scope and cost no memory. */
  noteSeenIfKnown(entityId: EntityId, executedAt: number): boolean {
    const entity = this.entities.get(entityId);
    if (entity === undefined) return false;
    if (executedAt > entity.seen) entity.seen = executedAt;
    return true;
  }

  /** The newest entity-wide `executed_at` the client has seen for the entity, or `undefined` if it never heard of it. */
  seenOf(entityId: EntityId): number | undefined {
    const seen = this.entities.get(entityId)?.seen;
    return seen === undefined || seen < 0 ? undefined : seen;
  }

  /** Live (not deleted) entity × model records: what the client holds, to compare with a server's row count. */
  liveModelCount(): number {
    let count = 0;
    for (const entity of this.entities.values()) for (const record of entity.models) if (!record.deleted) count += 1;
    return count;
  }

  isDeleted(entityId: EntityId, model: ModelTag): boolean {
    const entity = this.entities.get(entityId);
    return (entity === undefined ? undefined : findModel(entity, model))?.deleted ?? false;
  }

  /** Models of the entity that are live (not tombstones). */
  liveModels(entityId: EntityId): ModelTag[] {
    const entity = this.entities.get(entityId);
    if (entity === undefined) return [];
    const live: ModelTag[] = [];
    for (const record of entity.models) if (!record.deleted) live.push(record.tag);
    return live;
  }

  /** Entities with at least one live model: what reconciliation weighs a removal plan against. */
  liveEntityCount(): number {
    let count = 0;
    for (const entity of this.entities.values()) if (entity.models.some((record) => !record.deleted)) count += 1;
    return count;
  }

  entityIds(): IterableIterator<EntityId> {
    return this.entities.keys();
  }

  /** The newest version the ledger has applied anywhere: how far the client has caught up. */
  newestVersion(): Version {
    let newest = NO_VERSION;
    for (const entity of this.entities.values()) {
      newest = Math.max(newest, entity.floor);
      for (const record of entity.models) newest = Math.max(newest, record.at);
    }
    return newest;
  }

  /**
   * Forget tombstones older than `version`, to keep memory bounded in long sessions. A write older than a forgotten
   * tombstone could land again, so pass a version older than anything still in flight (e.g. the last replay's start).
   */
  pruneTombstones(olderThan: Version): number {
    let pruned = 0;
    for (const [entityId, entity] of this.entities) {
      const before = entity.models.length;
      entity.models = entity.models.filter((record) => !(record.deleted && record.at < olderThan));
      pruned += before - entity.models.length;
      // An entity known only as seen (its models were rejected) is kept while it was seen recently: a probe asks for it.
      if (entity.models.length === 0 && entity.floor < olderThan && (entity.floor !== NO_VERSION || packVersion(entity.seen, 0) < olderThan)) {
        // The entity's own floor was a tombstone too (a whole-entity delete).
        if (entity.floor !== NO_VERSION) pruned += 1;
        this.entities.delete(entityId);
      }
    }
    return pruned;
  }

  stats(): LedgerStats {
    let models = 0;
    let tombstones = 0;
    let memberVersions = 0;
    for (const entity of this.entities.values()) {
      for (const record of entity.models) {
        models += 1;
        if (record.deleted) tombstones += 1;
        memberVersions += record.members?.size ?? 0;
      }
    }
    return { entities: this.entities.size, models, tombstones, memberVersions };
  }

  clear(): void {
    this.entities.clear();
  }

  private entityFor(entityId: EntityId): EntityRecord {
    let entity = this.entities.get(entityId);
    if (entity === undefined) {
      entity = { floor: NO_VERSION, models: [], seen: -1 };
      this.entities.set(entityId, entity);
    }
    return entity;
  }
}


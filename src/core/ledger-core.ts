import type { EntityId } from "./entity-id";
import { LedgerStore, type LedgerModel } from "./ledger-store";
import type { ModelTag } from "./types";
import { NO_VERSION, type Version } from "./version";

/** A member's version in its model's unit, and the block time (packed seconds) of the update that carried it. */
export interface MemberClock {
  readonly version: Version;
  readonly at: Version;
}

export interface DeleteDecision {
  /** Whether the delete lands at all. */
  readonly applied: boolean;
  /** Members written after the delete: the component goes, these stay pending as a partial recreate. */
  readonly survivors: readonly string[];
}

export interface EntityDeleteDecision {
  /** Whether the delete is as new as the entity's floor (and so lands at all). */
  readonly applied: boolean;
  /** Models the delete does not wipe: `"all"` when written after it, or the members written after it. */
  readonly kept: ReadonlyMap<ModelTag, readonly string[] | "all">;
}

export interface LedgerStats {
  readonly entities: number;
  readonly models: number;
  readonly tombstones: number;
  readonly memberVersions: number;
}

const REFUSED: DeleteDecision = { applied: false, survivors: [] };
const NOTHING_SURVIVES: DeleteDecision = { applied: true, survivors: [] };

/**
 * The ledger's decisions on columns: which pending members may land (`check`), what landed (`commit`), deletes of a
 * model or a whole entity. Ties apply (arrival order wins). A model versioned by its own member compares writes by it,
 * and deletes, floors and tombstones by block time. EntityLedger adds the same decisions by tag and name, and the reads.
 */
export class LedgerCore {
  protected readonly store: LedgerStore;

  /**
   * @param ownVersioned Whether a model's writes are versioned by its own member (`versionPaths`).
   * @param models The bound models and their members in schema order (their columns); others are registered on sight.
   */
  constructor(ownVersioned: (model: ModelTag) => boolean = () => false, models: ReadonlyArray<{ readonly tag: ModelTag; readonly fields: readonly string[] }> = []) {
    this.store = new LedgerStore(models, ownVersioned);
  }

  /** The entity's slot (made if needed): the handle of the admission path. */
  slot(entityId: EntityId): number {
    return this.store.slot(entityId);
  }

  /** RECS's symbol for the slot's entity (what `getEntitySymbol` returns), kept with the slot. */
  symbolOf(slot: number): symbol {
    const store = this.store;
    return (store.symbols[slot] ??= Symbol.for(store.ids[slot] as string));
  }

  /** `slot(entityId)` where `hint` is the slot it had when it was queued: the same unless pruned since. */
  slotAt(hint: number, entityId: EntityId): number {
    return this.store.ids[hint] === entityId ? hint : this.store.slot(entityId);
  }

  /**
   * Which members of a pending row may land, changing nothing: `admitted[column]` is set to 1 for each (0 for the
   * others, and for columns with nothing pending). Returns how many. `versions`/`ats` are the pending store's columns.
   */
  check(slot: number, model: number, versions: Float64Array, ats: Float64Array, base: number, width: number, admitted: Uint8Array): number {
    const s = this.store;
    let ties = 0;
    const floor = s.floorOf(slot);
    const record = s.record(slot, model);
    const own = (s.models[model] as LedgerModel).own;
    let count = 0;
    for (let column = 0; column < width; column += 1) {
      admitted[column] = 0;
      const version = versions[base + column] as number;
      if (version !== version) continue;
      const at = ats[base + column] as number;
      // Floors and tombstones are block times: compared with the write's block time.
      if (at < floor) continue;
      if (record >= 0) {
        if (s.deletedOf(record) === 1) {
          if (at < s.atOf(record)) continue;
        } else if (own && s.born.size > 0 && at < (s.born.get(record) ?? NO_VERSION)) {
          // Older than the delete its current life began after.
          continue;
        } else if (own && version === NO_VERSION) {
          // A live model: a write lacking its own version ties on block time.
          if (at < s.atOf(record)) continue;
        } else {
          const member = s.memberVersion(record, column);
          const current = member === member ? Math.max(s.vOf(record), member) : s.vOf(record);
          if (version < current) continue;
          if (version === current) ties += 1;
        }
      }
      admitted[column] = 1;
      count += 1;
    }
    this.lastTies = ties;
    return count;
  }

  /**
   * Whether the ledger refuses any write of `model` stamped `at` (block time), whatever its own version: older than the
   * entity's floor, than the model's tombstone, or than the delete its current life began after. For models versioned
   * by their own member, asked before a write is queued: the queue compares their own versions only, and a late write
   * from before a delete (a higher count of the old life) would replace the recreate there, then be refused here.
   */
  refusesWriteAt(slot: number, model: number, at: number): boolean {
    const s = this.store;
    if (at < s.floorOf(slot)) return true;
    const record = s.record(slot, model);
    if (record < 0) return false;
    if (s.deletedOf(record) === 1) return at < s.atOf(record);
    return s.born.size > 0 && at < (s.born.get(record) ?? NO_VERSION);
  }

  /**
   * How many members the last `check` admitted at exactly the version already recorded (a live model, no delete
   * between): when all of them, the row may be what RECS already holds (a replay over a warm start).
   */
  lastTies = 0;

  /** Record the members `check` admitted, once they were written. `complete`: the row holds every member of the schema. */
  commit(slot: number, model: number, versions: Float64Array, ats: Float64Array, base: number, width: number, admitted: Uint8Array, complete: boolean): void {
    const s = this.store;
    const own = (s.models[model] as LedgerModel).own;
    let record = s.record(slot, model);
    if (record < 0) record = s.addRecord(slot, model);
    else if (s.deletedOf(record) === 1 && own) {
      // A recreated model starts a new life: its own counter may start again from below where the old one ended. The
      // delete's block time stays, so a write from before it (with a higher count of the old life) never lands.
      s.setV(record, NO_VERSION);
      s.setMembers(record, undefined);
      s.born.set(record, s.atOf(record));
    }
    s.setDeleted(slot, record, 0);
    if (complete) {
      // Every member is now at least as new as the oldest of (what just landed, what was already newer): the new floor.
      let floor = Infinity;
      for (let column = 0; column < width; column += 1) {
        const version = versions[base + column] as number;
        if (version !== version) continue;
        floor = Math.min(floor, admitted[column] === 1 ? this.landing(record, column, version, own) : this.current(record, column));
      }
      s.setV(record, Math.max(s.vOf(record), floor));
    }
    for (let column = 0; column < width; column += 1) {
      if (admitted[column] !== 1) continue;
      const version = this.landing(record, column, versions[base + column] as number, own);
      if (version > s.vOf(record)) s.setMemberVersion(record, model, column, version);
      const at = ats[base + column] as number;
      if (at > s.atOf(record)) s.setAt(record, at);
    }
    if (s.membersOf(record) !== undefined) s.trimMembers(record);
  }

  /** A member's version in the record: its own when newer than the floor, else the floor. */
  private current(record: number, column: number): number {
    const member = this.store.memberVersion(record, column);
    const floor = this.store.vOf(record);
    return member === member && member > floor ? member : floor;
  }

  /** The version a landing member takes: a write without its own version takes the model's (it ties, never advances). */
  private landing(record: number, column: number, version: number, own: boolean): number {
    return own && version === NO_VERSION ? this.current(record, column) : version;
  }

  /**
   * Admit the delete of one model at block time `version`. On admission the model becomes a tombstone, except members
   * written after the delete (partial updates that arrived first): they survive, the caller keeps them pending.
   */
  deleteModelAt(slot: number, model: number, version: Version): DeleteDecision {
    const s = this.store;
    if (version < s.floorOf(slot)) return REFUSED;
    let record = s.record(slot, model);
    if (record < 0) {
      record = s.addRecord(slot, model);
      s.setV(record, version);
      s.setAt(record, version);
      s.setDeleted(slot, record, 1);
      return NOTHING_SURVIVES;
    }
    return this.deleteRecord(slot, record, model, version);
  }

  /**
   * Admit a whole-entity delete: every model no newer than it becomes a tombstone (members written after it survive),
   * and the entity's floor rises so that late writes older than the delete are dropped, even for models not seen yet.
   */
  deleteEntityAt(slot: number, version: Version): EntityDeleteDecision {
    const s = this.store;
    if (version < s.floorOf(slot)) return { applied: false, kept: new Map() };
    s.setFloor(slot, version);
    const kept = new Map<ModelTag, readonly string[] | "all">();
    for (let model = 0; model < s.models.length; model += 1) {
      const record = s.record(slot, model);
      if (record < 0) continue;
      const decision = this.deleteRecord(slot, record, model, version);
      const tag = (s.models[model] as LedgerModel).tag;
      if (!decision.applied) kept.set(tag, "all");
      else if (decision.survivors.length > 0) kept.set(tag, decision.survivors);
    }
    return { applied: true, kept };
  }

  /** Record that a message about the entity, stamped `executedAt` (seconds), reached the client. */
  noteSeenAt(slot: number, executedAt: number): void {
    if (executedAt > this.store.seenAt(slot)) this.store.setSeen(slot, executedAt);
  }

  /** Delete one model record at block time `version`. */
  private deleteRecord(slot: number, record: number, model: number, version: Version): DeleteDecision {
    const s = this.store;
    if ((s.models[model] as LedgerModel).own) {
      // Member versions are in the model's own unit, not comparable with a block time: the delete wins whole if it
      // is as new as the newest write, and loses whole otherwise.
      if (version < s.atOf(record)) return REFUSED;
      s.setMembers(record, undefined);
      s.setAt(record, version);
      s.setDeleted(slot, record, 1);
      return NOTHING_SURVIVES;
    }
    // Every member is at least as new as the floor: a delete older than the floor is older than everything.
    if (version < s.vOf(record)) return REFUSED;
    const survivors: string[] = [];
    const members = s.membersOf(record);
    if (members !== undefined) {
      const names = (s.models[model] as LedgerModel).names;
      for (let column = 0; column < members.length; column += 1) {
        const memberVersion = members[column] as number;
        if (memberVersion > version) survivors.push(names[column] as string);
        else members[column] = Number.NaN;
      }
      if (survivors.length === 0) s.setMembers(record, undefined);
    }
    s.setV(record, version);
    s.setAt(record, Math.max(s.atOf(record), version));
    s.setDeleted(slot, record, survivors.length === 0 ? 1 : 0);
    return survivors.length === 0 ? NOTHING_SURVIVES : { applied: true, survivors };
  }
}

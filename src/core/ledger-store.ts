import type { EntityId } from "./entity-id";
import type { ModelTag } from "./types";
import { newLedgerPage, newRecordPage, type LedgerSlotPage, type RecordPage } from "./ledger-pages";
import { NO_VERSION } from "./version";
import { PAGE_MASK, PAGE_SHIFT } from "./util/pages";
import { shardMap } from "./util/sharded-map";

/** A model the ledger tracks: its tag, whether it is versioned by its own member, and its members' columns. */
export interface LedgerModel {
  readonly tag: ModelTag;
  readonly own: boolean;
  readonly names: string[];
  readonly columns: Map<string, number>;
}

/**
 * The ledger's storage, in columns: entity slots (floor, seen) and model records (`v`, `at`, a tombstone flag, and
 * member versions for the few members a partial write moved past `v`). An entity × model costs a few numbers, not an
 * object: a million of them fit in tens of megabytes.
 */
export class LedgerStore {
  readonly models: LedgerModel[] = [];
  readonly modelIndex = new Map<ModelTag, number>();
  readonly slots = new Map<EntityId, number>();
  ids: Array<EntityId | undefined> = [];
  /** Per entity slot: RECS's symbol for the id (`Symbol.for(id)`), looked up once per entity instead of once per write. */
  symbols: Array<symbol | undefined> = [];
  readonly pages: LedgerSlotPage[] = [];
  liveRecords = 0;
  liveEntities = 0;
  stride = 4;
  /** Per record, in pages of `PAGE_SIZE` records (see RecordPage): never an array grown by doubling. */
  private readonly recordPages: RecordPage[] = [];
  /**
   * Per record of a model versioned by its own member, recreated after a delete: the delete's block time. Its new life
   * counts its own versions from scratch, so only this tells a late write from before the delete. Sparse: few records.
   */
  readonly born = new Map<number, number>();
  private freeSlots: number[] = [];
  private freeRecords: number[] = [];
  /** Slots made while a walk is open (see `openWalk`); undefined while none is. */
  private madeInWalk: Set<number> | undefined;
  private openWalks = 0;
  private nextRecord = 0;
  records = 0;

  constructor(models: ReadonlyArray<{ readonly tag: ModelTag; readonly fields: readonly string[] }>, private readonly ownVersioned: (model: ModelTag) => boolean) {
    // Sharded by the id's last digits: one Map of every entity would rehash them all in the one write that crosses a
    // power of two (~10 ms at 65,536 ids).
    shardMap(this.slots);
    for (const model of models) this.model(model.tag, model.fields);
  }

  /** The model's index, registered on first sight (tests and tools may name models the writer never bound). */
  model(tag: ModelTag, fields: readonly string[] = []): number {
    const known = this.modelIndex.get(tag);
    if (known !== undefined) return known;
    const index = this.models.length;
    this.models.push({ tag, own: this.ownVersioned(tag), names: [...fields], columns: new Map(fields.map((field, column) => [field, column])) });
    this.modelIndex.set(tag, index);
    if (index >= this.stride) this.widen();
    return index;
  }

  /** A member's column within a model, registered on first sight. */
  column(model: number, name: string): number {
    const entry = this.models[model] as LedgerModel;
    let column = entry.columns.get(name);
    if (column === undefined) {
      column = entry.names.length;
      entry.names.push(name);
      entry.columns.set(name, column);
    }
    return column;
  }

  /** The entity's slot, made if needed. */
  slot(entityId: EntityId): number {
    const known = this.slots.get(entityId);
    if (known !== undefined) return known;
    const slot = this.freeSlots.pop() ?? this.ids.length;
    if (slot === this.ids.length) {
      this.ids.push(entityId);
      this.symbols.push(undefined);
      if (slot >>> PAGE_SHIFT >= this.pages.length) this.pages.push(newLedgerPage(this.stride));
    } else {
      this.ids[slot] = entityId;
      this.symbols[slot] = undefined;
    }
    const page = this.page(slot);
    const local = slot & PAGE_MASK;
    page.floor[local] = NO_VERSION;
    page.seen[local] = -1;
    page.liveOf[local] = 0;
    page.recordOf.fill(-1, local * this.stride, (local + 1) * this.stride);
    this.slots.set(entityId, slot);
    this.madeInWalk?.add(slot);
    return slot;
  }

  record(slot: number, model: number): number {
    return this.page(slot).recordOf[(slot & PAGE_MASK) * this.stride + model] as number;
  }

  /** The record's floor: every member is at least this new, in the model's unit. */
  vOf(record: number): number {
    return this.recordPage(record).v[record & PAGE_MASK] as number;
  }

  setV(record: number, version: number): void {
    this.recordPage(record).v[record & PAGE_MASK] = version;
  }

  /** The block time of the record's newest change. */
  atOf(record: number): number {
    return this.recordPage(record).at[record & PAGE_MASK] as number;
  }

  setAt(record: number, at: number): void {
    this.recordPage(record).at[record & PAGE_MASK] = at;
  }

  /** 1 when the record is a tombstone. */
  deletedOf(record: number): number {
    return this.recordPage(record).deleted[record & PAGE_MASK] as number;
  }

  /** Versions of members newer than the floor (NaN: none), by column; `undefined` when there are none. */
  membersOf(record: number): Float64Array | undefined {
    return this.recordPage(record).members[record & PAGE_MASK];
  }

  setMembers(record: number, members: Float64Array | undefined): void {
    this.recordPage(record).members[record & PAGE_MASK] = members;
  }

  /** The entity's floor: the block time of its last whole-entity delete (NO_VERSION: none). */
  floorOf(slot: number): number {
    return this.page(slot).floor[slot & PAGE_MASK] as number;
  }

  setFloor(slot: number, version: number): void {
    this.page(slot).floor[slot & PAGE_MASK] = version;
  }

  /** The newest entity-wide `executed_at` (seconds) heard of the entity (-1: none). */
  seenAt(slot: number): number {
    return this.page(slot).seen[slot & PAGE_MASK] as number;
  }

  setSeen(slot: number, executedAt: number): void {
    this.page(slot).seen[slot & PAGE_MASK] = executedAt;
  }

  /** A new record for the slot's model: no version yet, live. */
  addRecord(slot: number, model: number): number {
    const record = this.freeRecords.pop() ?? this.nextRecord++;
    if (record >>> PAGE_SHIFT >= this.recordPages.length) this.recordPages.push(newRecordPage());
    this.setV(record, NO_VERSION);
    this.setAt(record, NO_VERSION);
    this.recordPage(record).deleted[record & PAGE_MASK] = 0;
    this.setMembers(record, undefined);
    this.page(slot).recordOf[(slot & PAGE_MASK) * this.stride + model] = record;
    this.records += 1;
    this.countLive(slot, 1);
    return record;
  }

  /** Mark a record live (0) or a tombstone (1), keeping the live counts. */
  setDeleted(slot: number, record: number, deleted: 0 | 1): void {
    if (this.deletedOf(record) === deleted) return;
    this.recordPage(record).deleted[record & PAGE_MASK] = deleted;
    this.countLive(slot, deleted === 1 ? -1 : 1);
  }

  private countLive(slot: number, change: 1 | -1): void {
    const liveOf = this.page(slot).liveOf;
    const before = liveOf[slot & PAGE_MASK] as number;
    liveOf[slot & PAGE_MASK] = before + change;
    this.liveRecords += change;
    if (before === 0) this.liveEntities += 1;
    else if (before + change === 0) this.liveEntities -= 1;
  }

  removeRecord(slot: number, model: number): void {
    const record = this.record(slot, model);
    if (record < 0) return;
    if (this.deletedOf(record) === 0) this.countLive(slot, -1);
    this.setMembers(record, undefined);
    this.born.delete(record);
    this.freeRecords.push(record);
    this.page(slot).recordOf[(slot & PAGE_MASK) * this.stride + model] = -1;
    this.records -= 1;
  }

  removeSlot(slot: number): void {
    for (let model = 0; model < this.models.length; model += 1) this.removeRecord(slot, model);
    this.slots.delete(this.ids[slot] as EntityId);
    this.ids[slot] = undefined;
    this.symbols[slot] = undefined;
    this.freeSlots.push(slot);
  }

  /** A member's own version, above the record's floor (NaN: none). */
  memberVersion(record: number, column: number): number {
    const members = this.membersOf(record);
    return members === undefined || column >= members.length ? Number.NaN : (members[column] as number);
  }

  setMemberVersion(record: number, model: number, column: number, version: number): void {
    let members = this.membersOf(record);
    const width = Math.max((this.models[model] as LedgerModel).names.length, column + 1);
    if (members === undefined || column >= members.length) {
      const grown = new Float64Array(width).fill(Number.NaN);
      if (members !== undefined) grown.set(members);
      members = grown;
      this.setMembers(record, grown);
    }
    members[column] = version;
  }

  /** Forget member versions no newer than the record's floor; drop the array when none is left. */
  trimMembers(record: number): void {
    const members = this.membersOf(record);
    if (members === undefined) return;
    const floor = this.vOf(record);
    let left = 0;
    for (let column = 0; column < members.length; column += 1) {
      const version = members[column] as number;
      if (version <= floor) members[column] = Number.NaN;
      else if (version === version) left += 1;
    }
    if (left === 0) this.setMembers(record, undefined);
  }

  clear(): void {
    this.forEachSlot((slot) => this.removeSlot(slot));
  }

  /**
   * Visit every entity's slot, by index: no copy of the id Map, and `visit` may remove the slot it is given. A walk of
   * 100,000 entities runs at the end of every replay (tombstone pruning): it must cost a few ms, not tens.
   */
  forEachSlot(visit: (slot: number) => void): void {
    this.forEachSlotFrom(0, visit, () => false);
  }

  /** `forEachSlot` from slot `from` on, until `stop()` (asked after each slot visited): where to resume, or -1 when done. */
  forEachSlotFrom(from: number, visit: (slot: number) => void, stop: () => boolean): number {
    const ids = this.ids;
    for (let slot = from; slot < ids.length; slot += 1) {
      if (ids[slot] === undefined) continue;
      visit(slot);
      if (stop()) return slot + 1;
    }
    return -1;
  }

  /**
   * A walk over the entities held now begins: slots made from here on (new entities, or freed slots given to another)
   * are noted until every open walk is closed, so a walk that yields between slices visits only what it began with.
   * Walks open together share the note: a later one skips what was made since the earliest opened (fewer, never wrong).
   */
  openWalk(): void {
    this.openWalks += 1;
    this.madeInWalk ??= new Set();
  }

  closeWalk(): void {
    if (this.openWalks === 0) return;
    this.openWalks -= 1;
    if (this.openWalks === 0) this.madeInWalk = undefined;
  }

  /** Whether the slot was made after an open walk began (its entity is not one the walk began with). */
  madeDuringWalk(slot: number): boolean {
    return this.madeInWalk?.has(slot) === true;
  }

  private widen(): void {
    const stride = this.stride * 2;
    for (const page of this.pages) {
      const recordOf = new Int32Array(page.liveOf.length * stride).fill(-1);
      for (let local = 0; local < page.liveOf.length; local += 1) {
        for (let model = 0; model < this.stride; model += 1) recordOf[local * stride + model] = page.recordOf[local * this.stride + model] as number;
      }
      page.recordOf = recordOf;
    }
    this.stride = stride;
  }

  private page(slot: number): LedgerSlotPage {
    return this.pages[slot >>> PAGE_SHIFT] as LedgerSlotPage;
  }

  private recordPage(record: number): RecordPage {
    return this.recordPages[record >>> PAGE_SHIFT] as RecordPage;
  }
}

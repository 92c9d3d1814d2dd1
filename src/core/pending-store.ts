import type { DropRecorder } from "./drops";
import type { EntityId } from "./entity-id";
import { columnsFor, growSlotIndex, mergeCell, mergeMembers, newRow, newSlotPage, ownEntitySlots, ownKeyCount, PAGE_MASK, PAGE_SHIFT, pageOf, PENDING_START, wipeUpTo, type PendingColumns, type SlotPage } from "./pending-columns";
import { holdsTie, settleTie, type Unconvertible } from "./pending-ties";
import type { LedgerScope } from "./types";
import type { Version } from "./version";
import type { ComponentBinding } from "./writer/bindings";

export type { PendingColumns, PendingPage } from "./pending-columns";

export interface PendingStoreOptions {
  /** Entities pending at once before the backlog is dropped (and `onOverflow` asks for a resync). */
  readonly highWaterMark: number;
  readonly drops: DropRecorder;
  readonly onOverflow?: (dropped: number) => void;
  /** The entity's slot in its scope's ledger: the one hash lookup per message. Without it the store numbers entities. */
  readonly entitySlot?: (scope: LedgerScope, entityId: EntityId) => number;
  /** Asked when updates of one block time meet in a row (see pending-ties.ts); without it they coalesce unchecked. */
  readonly unconvertible?: Unconvertible;
}

/**
 * Everything pending, coalesced per entity × model × member, newest wins; it only coalesces (the ledger decides later
 * what lands). One hash lookup per message finds the entity's slot; the rest is arithmetic on typed arrays. Entities
 * leave in arrival order.
 */
export class PendingStore {
  readonly models: readonly ComponentBinding[];
  readonly columns: PendingColumns[];
  /** Per pending slot: its id and scope; its numbers are in `slotPages` (see SlotPage). */
  ids: EntityId[] = [];
  scopes: LedgerScope[] = [];
  readonly slotPages: SlotPage[] = [];
  compacted = 0;
  highWater = 0;
  overflows = 0;
  /** Per scope, by ledger slot: the pending slot, or -1. */
  private pendingOf: Record<LedgerScope, Int32Array> = { entities: new Int32Array(PENDING_START).fill(-1), events: new Int32Array(0) };
  private readonly entitySlot: (scope: LedgerScope, entityId: EntityId) => number;
  private freeSlots: number[] = [];
  private capacity = PENDING_START;
  private order = new Int32Array(PENDING_START);
  private head = 0;
  private count = 0;
  private closed = false;

  constructor(
    models: readonly ComponentBinding[],
    private readonly options: PendingStoreOptions,
  ) {
    this.models = models;
    this.entitySlot = options.entitySlot ?? ownEntitySlots();
    this.columns = models.map((binding) => columnsFor(binding.fields.length));
  }

  /** The slot's ledger slot (in its scope's ledger). */
  entitySlotOf(slot: number): number {
    return this.slotPage(slot).entitySlots[slot & PAGE_MASK] as number;
  }

  /** The newest `executed_at` (seconds) of the slot's pending messages. */
  executedAtOf(slot: number): number {
    return this.slotPage(slot).executedAt[slot & PAGE_MASK] as number;
  }

  /** The slot's pending whole-entity delete (NaN: none). */
  entityDeleteAtOf(slot: number): number {
    return this.slotPage(slot).entityDeleteAt[slot & PAGE_MASK] as number;
  }

  /** The model's pending row for the slot, or -1. */
  rowAt(slot: number, model: number): number {
    return this.slotPage(slot).rowOf[(slot & PAGE_MASK) * this.models.length + model] as number;
  }

  get size(): number {
    return this.count;
  }

  /** The entity's pending slot, made if needed (past the high-water mark the backlog goes first); -1 once closed. */
  slotFor(scope: LedgerScope, entityId: EntityId, executedAt: number): number {
    if (this.closed) return -1;
    const entity = this.entitySlot(scope, entityId);
    let pendingOf = this.pendingOf[scope];
    const known = entity < pendingOf.length ? (pendingOf[entity] as number) : -1;
    // The id check: a ledger slot pruned and given to another entity while this one was pending starts afresh.
    if (known >= 0 && this.ids[known] === entityId) {
      this.compacted += 1;
      const times = this.slotPage(known).executedAt;
      if (executedAt > (times[known & PAGE_MASK] as number)) times[known & PAGE_MASK] = executedAt;
      return known;
    }
    // Past the mark the backlog goes and a resync is asked for; the update that tipped it over is still kept.
    if (this.count >= this.options.highWaterMark) this.overflow();
    const slot = this.freeSlots.pop() ?? this.newSlot();
    if (entity >= pendingOf.length) pendingOf = this.pendingOf[scope] = growSlotIndex(pendingOf, entity);
    pendingOf[entity] = slot;
    const page = this.slotPage(slot);
    page.entitySlots[slot & PAGE_MASK] = entity;
    page.executedAt[slot & PAGE_MASK] = executedAt;
    page.entityDeleteAt[slot & PAGE_MASK] = Number.NaN;
    this.ids[slot] = entityId;
    this.scopes[slot] = scope;
    this.order[(this.head + this.count) % this.capacity] = slot;
    this.count += 1;
    if (this.count > this.highWater) this.highWater = this.count;
    return slot;
  }

  /** The model's pending row for the slot, made if needed. */
  rowFor(slot: number, model: number): number {
    const rowOf = this.slotPage(slot).rowOf;
    const at = (slot & PAGE_MASK) * this.models.length + model;
    const row = rowOf[at] as number;
    if (row >= 0) return row;
    const columns = this.columns[model] as PendingColumns;
    const fresh = columns.free.pop() ?? newRow(columns);
    pageOf(columns, fresh).deleteAt[fresh & PAGE_MASK] = Number.NaN;
    rowOf[at] = fresh;
    return fresh;
  }

  /**
   * Merge some members of one write, newest wins per member. `members` is the client's own object (its keys were
   * checked by the decoder); `version` is in the model's unit (NO_VERSION: the write lacks its own version), `at` its
   * block time. Returns the number of members the schema lacks.
   */
  mergeWrite(slot: number, model: number, members: Readonly<Record<string, unknown>>, version: Version, at: Version, memberCount?: number): number {
    if (at < this.entityDeleteAtOf(slot)) {
      this.options.drops.drop("superseded");
      return 0;
    }
    const binding = this.models[model] as ComponentBinding;
    const columns = this.columns[model] as PendingColumns;
    // A row made for this write holds nothing it could tie with.
    const made = this.rowAt(slot, model) < 0;
    const row = this.rowFor(slot, model);
    const page = pageOf(columns, row);
    if (at < (page.deleteAt[row & PAGE_MASK] as number)) {
      this.options.drops.drop("superseded");
      return 0;
    }
    const base = (row & PAGE_MASK) * columns.width;
    const unconvertible = this.options.unconvertible;
    if (unconvertible !== undefined && !made && holdsTie(page, base, columns.width, version, at) && !settleTie(page, base, binding, this.ids[slot] as EntityId, members, version, at, unconvertible, this.options.drops)) return 0;
    const result = mergeMembers(page, base, binding.fields, members, version, at, memberCount !== undefined);
    // Counted once per change, like the ledger's drops: a metric of updates, not of fields.
    if (result.superseded) this.options.drops.drop("superseded");
    return (memberCount ?? ownKeyCount(members)) - result.known;
  }

  mergeModelDelete(slot: number, model: number, version: Version): void {
    if (version < this.entityDeleteAtOf(slot)) {
      this.options.drops.drop("superseded");
      return;
    }
    const columns = this.columns[model] as PendingColumns;
    const row = this.rowFor(slot, model);
    const deleteAt = pageOf(columns, row).deleteAt;
    if (version < (deleteAt[row & PAGE_MASK] as number)) {
      this.options.drops.drop("superseded");
      return;
    }
    deleteAt[row & PAGE_MASK] = version;
    wipeUpTo(columns, row, version);
  }

  mergeEntityDelete(slot: number, version: Version): void {
    if (version < this.entityDeleteAtOf(slot)) {
      this.options.drops.drop("superseded");
      return;
    }
    this.slotPage(slot).entityDeleteAt[slot & PAGE_MASK] = version;
    // Ties go to the later arrival: pending changes no newer than the delete would be wiped by it anyway.
    for (let model = 0; model < this.models.length; model += 1) {
      const row = this.rowAt(slot, model);
      if (row < 0) continue;
      const columns = this.columns[model] as PendingColumns;
      const deleteAt = pageOf(columns, row).deleteAt;
      if ((deleteAt[row & PAGE_MASK] as number) <= version) deleteAt[row & PAGE_MASK] = Number.NaN;
      wipeUpTo(columns, row, version);
    }
  }

  /**
   * Hand pending entities to `visit` in arrival order and forget them, until the store is empty or `stop()` says so
   * (asked after each entity: it reads the clock only every few). `visit` reads the slot's rows while it runs; they
   * are freed right after.
   */
  drain(visit: (slot: number) => void, stop: () => boolean): number {
    let visited = 0;
    while (this.count > 0) {
      const slot = this.order[this.head] as number;
      this.head = (this.head + 1) % this.capacity;
      this.count -= 1;
      const pendingOf = this.pendingOf[this.scopes[slot] as LedgerScope];
      const entity = this.entitySlotOf(slot);
      if (pendingOf[entity] === slot) pendingOf[entity] = -1;
      visit(slot);
      this.release(slot);
      visited += 1;
      if (stop()) break;
    }
    return visited;
  }

  /** Move everything pending here behind what `target` holds (the replay's buffer released behind the snapshot). */
  moveInto(target: PendingStore): void {
    this.drain((slot) => {
      const into = target.slotFor(this.scopes[slot] as LedgerScope, this.ids[slot] as EntityId, this.executedAtOf(slot));
      if (into < 0) return;
      const entityDelete = this.entityDeleteAtOf(slot);
      if (entityDelete === entityDelete) target.mergeEntityDelete(into, entityDelete);
      for (let model = 0; model < this.models.length; model += 1) {
        const row = this.rowAt(slot, model);
        if (row >= 0) target.absorbRow(into, model, this.columns[model] as PendingColumns, row);
      }
    }, () => false);
  }

  /** Drop everything pending without applying it; returns how many entities went. */
  clear(): number {
    const dropped = this.count;
    this.drain(() => undefined, () => false);
    return dropped;
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  private absorbRow(slot: number, model: number, from: PendingColumns, fromRow: number): void {
    const source = pageOf(from, fromRow);
    const deleteAt = source.deleteAt[fromRow & PAGE_MASK] as number;
    if (deleteAt === deleteAt) this.mergeModelDelete(slot, model, deleteAt);
    const columns = this.columns[model] as PendingColumns;
    const base = (fromRow & PAGE_MASK) * from.width;
    let row = -1;
    for (let field = 0; field < from.width; field += 1) {
      const version = source.versions[base + field] as number;
      if (version !== version) continue;
      const at = source.ats[base + field] as number;
      if (at < this.entityDeleteAtOf(slot)) continue;
      if (row < 0) row = this.rowFor(slot, model);
      const page = pageOf(columns, row);
      if (at < (page.deleteAt[row & PAGE_MASK] as number)) continue;
      mergeCell(page, (row & PAGE_MASK) * columns.width + field, source.values[base + field], version, at);
    }
  }

  private release(slot: number): void {
    const width = this.models.length;
    const rowOf = this.slotPage(slot).rowOf;
    for (let model = 0; model < width; model += 1) {
      const at = (slot & PAGE_MASK) * width + model;
      const row = rowOf[at] as number;
      if (row < 0) continue;
      const columns = this.columns[model] as PendingColumns;
      const page = pageOf(columns, row);
      const base = (row & PAGE_MASK) * columns.width;
      page.versions.fill(Number.NaN, base, base + columns.width);
      // The values are the client's objects: let them go.
      for (let field = 0; field < columns.width; field += 1) page.values[base + field] = undefined;
      columns.free.push(row);
      rowOf[at] = -1;
    }
    this.freeSlots.push(slot);
  }

  private overflow(): void {
    const dropped = this.clear();
    this.overflows += 1;
    this.options.drops.drop("overflow", dropped);
    this.options.onOverflow?.(dropped);
  }

  private slotPage(slot: number): SlotPage {
    return this.slotPages[slot >>> PAGE_SHIFT] as SlotPage;
  }

  private newSlot(): number {
    const slot = this.ids.length;
    if (slot >= this.capacity) this.growOrder();
    if (slot >>> PAGE_SHIFT >= this.slotPages.length) this.slotPages.push(newSlotPage(this.models.length));
    this.ids.push("" as EntityId);
    this.scopes.push("entities");
    return slot;
  }

  /** The arrival ring, doubled (4 bytes a slot: the one array still grown by copying). */
  private growOrder(): void {
    const capacity = this.capacity * 2;
    const order = new Int32Array(capacity);
    for (let i = 0; i < this.count; i += 1) order[i] = this.order[(this.head + i) % this.capacity] as number;
    this.order = order;
    this.head = 0;
    this.capacity = capacity;
  }
}

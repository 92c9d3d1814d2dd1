import type { EntityId } from "./entity-id";
import type { LedgerScope } from "./types";
import { PAGE_MASK, PAGE_SHIFT, PAGE_SIZE } from "./util/pages";
import { NO_VERSION, type Version } from "./version";

export { PAGE_MASK, PAGE_SHIFT, PAGE_SIZE } from "./util/pages";

/**
 * What is pending for one model, for every entity at once, in columns: a pending entity-model is a row `p`, kept in
 * page `p >>> PAGE_SHIFT` at local row `l = p & PAGE_MASK`; member `f` of it lives at `l * width + f` of that page's
 * arrays (pages, not arrays grown by doubling: see util/pages.ts). No object per update or per member: a burst of
 * hundreds of thousands of messages writes numbers into these arrays and keeps a reference to each member value it may
 * still apply.
 */
export interface PendingColumns {
  readonly width: number;
  pages: PendingPage[];
  free: number[];
  rows: number;
}

/** `PAGE_SIZE` rows of one model's pending columns. */
export interface PendingPage {
  values: unknown[];
  /** The member's version in the model's unit (NaN: nothing pending; NO_VERSION: a write without its own version). */
  versions: Float64Array;
  /** The block time (packed seconds) of the update that carried the member. */
  ats: Float64Array;
  /** Per row: the newest pending delete of the model (NaN: none). */
  deleteAt: Float64Array;
}

export const PENDING_START = 64;

/** Per pending slot, in pages of `PAGE_SIZE` slots like the columns: its ledger slot, newest `executed_at` (seconds),
 * pending whole-entity delete (NaN: none), and per model (stride: the model count) its pending row, or -1. */
export interface SlotPage {
  entitySlots: Int32Array;
  executedAt: Float64Array;
  entityDeleteAt: Float64Array;
  rowOf: Int32Array;
}

export function newSlotPage(models: number): SlotPage {
  return { entitySlots: new Int32Array(PAGE_SIZE), executedAt: new Float64Array(PAGE_SIZE), entityDeleteAt: new Float64Array(PAGE_SIZE).fill(Number.NaN), rowOf: new Int32Array(PAGE_SIZE * models).fill(-1) };
}

export function columnsFor(width: number): PendingColumns {
  return { width, pages: [], free: [], rows: 0 };
}

function newPage(width: number): PendingPage {
  const cells = PAGE_SIZE * width;
  return { values: new Array<unknown>(cells).fill(undefined), versions: new Float64Array(cells).fill(Number.NaN), ats: new Float64Array(cells).fill(Number.NaN), deleteAt: new Float64Array(PAGE_SIZE).fill(Number.NaN) };
}

export function newRow(columns: PendingColumns): number {
  const row = columns.rows;
  columns.rows += 1;
  if (row >>> PAGE_SHIFT >= columns.pages.length) columns.pages.push(newPage(columns.width));
  return row;
}

export function pageOf(columns: PendingColumns, row: number): PendingPage {
  return columns.pages[row >>> PAGE_SHIFT] as PendingPage;
}

/**
 * Queue a member in a cell unless what is queued there is newer; false when it is (superseded). Two writes compare in
 * the model's unit when both carry it, else by block time (a write lacking it ties there).
 */
export function mergeCell(page: PendingPage, cell: number, value: unknown, version: Version, at: Version): boolean {
  const queued = page.versions[cell] as number;
  if (queued === queued && (version !== NO_VERSION && queued !== NO_VERSION ? version < queued : at < (page.ats[cell] as number))) return false;
  page.values[cell] = value;
  page.versions[cell] = version;
  page.ats[cell] = at;
  return true;
}

/** Forget the pending members of a row that a delete at `version` wipes (no newer than it). */
export function wipeUpTo(columns: PendingColumns, row: number, version: Version): void {
  const page = pageOf(columns, row);
  const base = (row & PAGE_MASK) * columns.width;
  for (let field = 0; field < columns.width; field += 1) {
    if ((page.ats[base + field] as number) <= version) {
      page.versions[base + field] = Number.NaN;
      page.values[base + field] = undefined;
    }
  }
}

/** Numbers entities per scope for a store used without a ledger. */
export function ownEntitySlots(): (scope: LedgerScope, entityId: EntityId) => number {
  const numbers = { entities: new Map<EntityId, number>(), events: new Map<EntityId, number>() };
  return (scope, entityId) => {
    const known = numbers[scope].get(entityId);
    if (known !== undefined) return known;
    numbers[scope].set(entityId, numbers[scope].size);
    return numbers[scope].size - 1;
  };
}

export function growSlotIndex(index: Int32Array, needed: number): Int32Array {
  const grown = new Int32Array(Math.max(PENDING_START, needed + 1, index.length * 2)).fill(-1);
  grown.set(index);
  return grown;
}

/** What `mergeMembers` found in one write: one object, reused for every write (no allocation per update). */
const merged = { known: 0, superseded: false };

/**
 * Merge a write's members into its row's cells, reading the schema's members by name (a walk of the object's keys
 * cost an iteration and a Map lookup per key). `known`: how many of the schema's members the write carries (the rest
 * of its keys are members the schema lacks); `superseded`: whether a queued cell was newer than the write's.
 */
export function mergeMembers(page: PendingPage, base: number, fields: readonly string[], members: Readonly<Record<string, unknown>>, version: Version, at: Version, counted: boolean): Readonly<typeof merged> {
  merged.known = 0;
  merged.superseded = false;
  for (let field = 0; field < fields.length; field += 1) {
    const name = fields[field] as string;
    const value = members[name];
    if (value === undefined) {
      // Absent, or an own key holding `undefined`: the schema's member, with nothing to queue. A counted write's keys
      // all hold Torii values (the decoder's count), so only an uncounted one is asked.
      if (!counted && Object.hasOwn(members, name)) merged.known += 1;
      continue;
    }
    // A property the object only inherits (`constructor`, …) is not a member.
    if (!Object.hasOwn(members, name)) continue;
    merged.known += 1;
    if (!mergeCell(page, base + field, value, version, at)) merged.superseded = true;
  }
  return merged;
}

/** The own keys of a write's members object, for a caller that did not count them. */
export function ownKeyCount(members: Readonly<Record<string, unknown>>): number {
  let count = 0;
  for (const name in members) if (Object.hasOwn(members, name)) count += 1;
  return count;
}

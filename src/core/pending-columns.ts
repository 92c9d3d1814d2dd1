import type { EntityId } from "./entity-id";
import type { LedgerScope } from "./types";
import type { Version } from "./version";

/**
 * What is pending for one model, for every entity at once, in columns: a pending entity-model is a row `p`; member
 * `f` of it lives at `p * width + f`. No object per update or per member: a burst of hundreds of thousands of messages
 * writes numbers into these arrays and keeps a reference to each member value it may still apply.
 */
export interface PendingColumns {
  readonly width: number;
  values: unknown[];
  /** The member's version in the model's unit (NaN: nothing pending; NO_VERSION: a write without its own version). */
  versions: Float64Array;
  /** The block time (packed seconds) of the update that carried the member. */
  ats: Float64Array;
  /** Per row: the newest pending delete of the model (NaN: none). */
  deleteAt: Float64Array;
  free: number[];
  rows: number;
}

export const PENDING_START = 64;

export function grow(array: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(size).fill(Number.NaN);
  next.set(array);
  return next;
}

export function columnsFor(width: number): PendingColumns {
  return { width, values: [], versions: new Float64Array(PENDING_START * width).fill(Number.NaN), ats: new Float64Array(PENDING_START * width).fill(Number.NaN), deleteAt: new Float64Array(PENDING_START).fill(Number.NaN), free: [], rows: 0 };
}

export function newRow(columns: PendingColumns): number {
  const row = columns.rows;
  columns.rows += 1;
  if (row >= columns.deleteAt.length) {
    const rows = columns.deleteAt.length * 2;
    columns.deleteAt = grow(columns.deleteAt, rows);
    columns.versions = grow(columns.versions, rows * columns.width);
    columns.ats = grow(columns.ats, rows * columns.width);
  }
  return row;
}

/** Forget the pending members of a row that a delete at `version` wipes (no newer than it). */
export function wipeUpTo(columns: PendingColumns, row: number, version: Version): void {
  const base = row * columns.width;
  for (let field = 0; field < columns.width; field += 1) {
    if ((columns.ats[base + field] as number) <= version) {
      columns.versions[base + field] = Number.NaN;
      columns.values[base + field] = undefined;
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

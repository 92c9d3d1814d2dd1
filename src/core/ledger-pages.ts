import { PAGE_SIZE } from "./util/pages";
import { NO_VERSION } from "./version";

/** Per entity slot, in pages of `PAGE_SIZE` slots (see util/pages.ts). */
export interface LedgerSlotPage {
  /** Block time of the last whole-entity delete (NO_VERSION: none). */
  floor: Float64Array;
  /** Newest entity-wide `executed_at` (seconds) of any message about it (-1: none). */
  seen: Float64Array;
  /** Its live (not deleted) records. With the totals below, kept as records change, never counted. */
  liveOf: Uint16Array;
  /** Per slot × model (stride `stride`): the record, or -1. */
  recordOf: Int32Array;
}

/**
 * `PAGE_SIZE` model records: the floor of every member in the model's unit (`v`), the newest change's block time, a
 * tombstone flag, and the versions of the few members a partial write moved past the floor. Paged like the slots: the
 * three columns were arrays grown by doubling, and a world crossing 262,144 entity × models copied 9 MB into fresh
 * memory inside one write (2–8 ms measured, twice that at the next power of two).
 */
export interface RecordPage {
  readonly v: Float64Array;
  readonly at: Float64Array;
  readonly deleted: Uint8Array;
  readonly members: Array<Float64Array | undefined>;
}

export function newRecordPage(): RecordPage {
  return { v: new Float64Array(PAGE_SIZE), at: new Float64Array(PAGE_SIZE), deleted: new Uint8Array(PAGE_SIZE), members: new Array<Float64Array | undefined>(PAGE_SIZE).fill(undefined) };
}

export function newLedgerPage(stride: number): LedgerSlotPage {
  return { floor: new Float64Array(PAGE_SIZE).fill(NO_VERSION), seen: new Float64Array(PAGE_SIZE).fill(-1), liveOf: new Uint16Array(PAGE_SIZE), recordOf: new Int32Array(PAGE_SIZE * stride).fill(-1) };
}

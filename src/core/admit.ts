import type { DropRecorder } from "./drops";
import type { EntityId } from "./entity-id";
import type { SyncError } from "./errors";
import type { EntityLedger } from "./ledger";
import { PAGE_MASK, pageOf } from "./pending-columns";
import type { PendingColumns, PendingPage, PendingStore } from "./pending-store";
import type { AdmittedChange } from "./ports";
import type { LedgerScope, ToriiValue } from "./types";
import { createListeners } from "./util/listeners";
import { versionMajor } from "./version";
import { UNCONVERTIBLE, type RecsWriter } from "./writer/recs-writer";

export interface AdmitCounters {
  applied: number;
  lastAppliedVersion: number;
  /** Newest `executed_at` (seconds) among items that landed. */
  lastExecutedAt: number;
  /** Newest `executed_at` (seconds) among every item processed, landed or stale: how far the client has seen. */
  seenExecutedAt: number;
  /** Deletes (entity or model) that landed: each may leave a tombstone in the ledger. */
  deletes: number;
  /** Rows that tied with the ledger and equalled what RECS held: not written again (see `SyncMetrics.unchanged`). */
  unchanged: number;
}

export interface AdmitDeps {
  readonly ledgers: Readonly<Record<LedgerScope, EntityLedger>>;
  readonly writer: RecsWriter;
  readonly counters: AdmitCounters;
  readonly drops: DropRecorder;
  /** A value that cannot be converted: counted per code and logged once. */
  readonly onUnconvertible: (error: SyncError) => void;
  /**
   * Told every change that landed, in Torii's terms (a persisted cache, follower tabs). Read per change, so a listener
   * can come and go; while it is `undefined` nothing is built for it.
   */
  readonly admitted?: AdmittedHook;
}

/**
 * Where landed changes go. `recordUnchanged`: rows a replay finds already in RECS at the same version are told too (as
 * writes), not only the ones written: a tab that just took the lead holds changes the old leader relayed but may not
 * have written to the cache before it closed, and its first replay must put them there.
 */
export interface AdmittedHook {
  listener: ((change: AdmittedChange) => void) | undefined;
  recordUnchanged: boolean;
}

/** The admission's `admitted` hook and the listeners behind it: the hook is set only while someone listens. */
export function createAdmittedHook(): {
  readonly hook: AdmittedHook;
  subscribe(listener: (change: AdmittedChange) => void): () => void;
  clear(): void;
} {
  const listeners = createListeners<[AdmittedChange]>();
  const hook: AdmittedHook = { listener: undefined, recordUnchanged: false };
  const emit = (change: AdmittedChange): void => listeners.emit(change);
  return {
    hook,
    subscribe(listener) {
      const remove = listeners.add(listener);
      hook.listener = emit;
      return () => {
        remove();
        if (listeners.size === 0) hook.listener = undefined;
      };
    },
    clear() {
      listeners.clear();
      hook.listener = undefined;
    },
  };
}

/** Admits one drained entity of `store`; `landed` lists the entities whose changes reached RECS. */
export type Admission = (store: PendingStore, slot: number) => boolean;

/**
 * THE place where an update lives or dies. A drained entity meets the ledger here: per model, the delete first, then
 * the members — the ledger decides which members may land before anything is converted, only those are converted,
 * and the component is written once. Every refusal is recorded with its reason; a member that cannot be converted
 * keeps the component's whole write out.
 */
export function createAdmission({ ledgers, writer, counters, drops, onUnconvertible, admitted: hook }: AdmitDeps): Admission {
  // Scratch columns, reused for every row: no array or object per update.
  let admitted = new Uint8Array(16);
  const converted: unknown[] = [];
  return (store, slot) => {
    const entityId = store.ids[slot] as EntityId;
    const ledger = ledgers[store.scopes[slot] as LedgerScope];
    const entity = ledger.slotAt(store.entitySlotOf(slot), entityId);
    const executedAt = store.executedAtOf(slot);
    ledger.noteSeenAt(entity, executedAt);
    if (executedAt > counters.seenExecutedAt) counters.seenExecutedAt = executedAt;
    let landed = false;
    const entityDeleteAt = store.entityDeleteAtOf(slot);
    if (entityDeleteAt === entityDeleteAt) {
      const decision = ledger.deleteEntityAt(entity, entityDeleteAt);
      if (decision.applied) {
        writer.removeEntity(entityId, decision.kept);
        landed = deleted(counters, entityDeleteAt);
        hook?.listener?.({ kind: "delete_entity", scope: store.scopes[slot] as LedgerScope, entityId, at: versionMajor(entityDeleteAt) });
      } else drops.drop("stale");
    }
    const models = store.models.length;
    for (let model = 0; model < models; model += 1) {
      const row = store.rowAt(slot, model);
      if (row < 0) continue;
      const binding = store.models[model];
      const columns = store.columns[model] as PendingColumns;
      if (binding === undefined) continue;
      const page = pageOf(columns, row);
      const deleteAt = page.deleteAt[row & PAGE_MASK] as number;
      if (deleteAt === deleteAt) {
        const decision = ledger.deleteModelAt(entity, model, deleteAt);
        if (decision.applied) {
          writer.remove(binding, entityId, decision.survivors);
          landed = deleted(counters, deleteAt);
          hook?.listener?.({ kind: "delete_model", scope: store.scopes[slot] as LedgerScope, entityId, model: binding.model, at: versionMajor(deleteAt) });
        } else drops.drop("stale");
      }
      const width = columns.width;
      const { versions, ats } = page;
      const base = (row & PAGE_MASK) * width;
      let present = 0;
      for (let column = 0; column < width; column += 1) if ((versions[base + column] as number) === (versions[base + column] as number)) present += 1;
      if (present === 0) continue;
      if (admitted.length < width) admitted = new Uint8Array(width * 2);
      const count = ledger.check(entity, model, versions, ats, base, width, admitted);
      if (count === 0) {
        drops.drop("stale");
        continue;
      }
      let ties = ledger.lastTies === count;
      const errors = writer.convertRow(binding, entityId, page.values, base, admitted, converted);
      if (errors !== undefined) {
        drops.drop("unconvertible");
        for (const error of errors) onUnconvertible(error);
        ledger.rejected.note(entityId, binding.model, newestUnconvertible(admitted, ats, base, width));
        // The updates that carried a bad member stay out whole; others coalesced into the row still land.
        if (keepOutUnconvertible(admitted, versions, ats, base, width) === 0) continue;
        ties = false;
      }
      const symbol = ledger.symbolOf(entity);
      if (ties && writer.holds(binding, converted, admitted, symbol)) {
        // Nothing to write or tell: RECS already shows this row at this version (the cache may be told: AdmittedHook).
        counters.unchanged += 1;
        if (hook?.recordUnchanged === true) hook.listener?.(writeChange(store.scopes[slot] as LedgerScope, entityId, binding.model, binding.fields, page, base, admitted));
        continue;
      }
      writer.writeRow(binding, entityId, converted, admitted, symbol);
      ledger.commit(entity, model, versions, ats, base, width, admitted, present === width && errors === undefined);
      for (let column = 0; column < width; column += 1) {
        if (admitted[column] === 1 && (ats[base + column] as number) > counters.lastAppliedVersion) counters.lastAppliedVersion = ats[base + column] as number;
      }
      counters.applied += 1;
      landed = true;
      const listener = hook?.listener;
      if (listener !== undefined) listener(writeChange(store.scopes[slot] as LedgerScope, entityId, binding.model, binding.fields, page, base, admitted));
    }
    if (landed && executedAt > counters.lastExecutedAt) counters.lastExecutedAt = executedAt;
    return landed;
  };
}

/** The newest block time (seconds) among the columns `convertRow` marked unconvertible. */
function newestUnconvertible(admitted: Uint8Array, ats: Float64Array, base: number, width: number): number {
  let newest = -1;
  for (let column = 0; column < width; column += 1) if (admitted[column] === UNCONVERTIBLE) newest = Math.max(newest, versionMajor(ats[base + column] as number));
  return newest;
}

/**
 * Clear the columns `convertRow` marked unconvertible, and every admitted column of the same update (the same block
 * time and version: a pending row coalesces several updates); returns how many columns are still admitted.
 */
function keepOutUnconvertible(admitted: Uint8Array, versions: Float64Array, ats: Float64Array, base: number, width: number): number {
  for (let bad = 0; bad < width; bad += 1) {
    if (admitted[bad] !== UNCONVERTIBLE) continue;
    for (let column = 0; column < width; column += 1) {
      if (admitted[column] === 1 && ats[base + column] === ats[base + bad] && versions[base + column] === versions[base + bad]) admitted[column] = 0;
    }
  }
  let left = 0;
  for (let column = 0; column < width; column += 1) {
    if (admitted[column] === UNCONVERTIBLE) admitted[column] = 0;
    else if (admitted[column] === 1) left += 1;
  }
  return left;
}

function writeChange(scope: LedgerScope, entityId: EntityId, model: string, fields: readonly string[], page: PendingPage, base: number, admitted: Uint8Array): AdmittedChange {
  const members: string[] = [];
  const values: ToriiValue[] = [];
  const ats: number[] = [];
  for (let column = 0; column < fields.length; column += 1) {
    if (admitted[column] !== 1) continue;
    members.push(fields[column] as string);
    values.push(page.values[base + column] as ToriiValue);
    ats.push(versionMajor(page.ats[base + column] as number));
  }
  return { kind: "write", scope, entityId, model, members, values, ats };
}

function deleted(counters: AdmitCounters, version: number): true {
  counters.applied += 1;
  counters.deletes += 1;
  if (version > counters.lastAppliedVersion) counters.lastAppliedVersion = version;
  return true;
}

/** One drain slice: admit entities until `overdue()`; the ids of those that landed when `collect` (for listeners). */
export function admitSlice(store: PendingStore, admit: Admission, overdue: () => boolean, collect: boolean): EntityId[] | undefined {
  const landed: EntityId[] | undefined = collect ? [] : undefined;
  store.drain((slot) => {
    if (admit(store, slot)) landed?.push(store.ids[slot] as EntityId);
  }, overdue);
  return landed;
}

import type { ToriiValue } from "../core/types";
import type { EntityModelRecord } from "./layout";

/**
 * The cache's merge rules: the ledger's, on records. Versions are block times (whole seconds), and ties go to the
 * later arrival, as in the admission. A record always satisfies: every member is at least as new as `deletedAt`.
 * Merges mutate `target` and say whether it changed, so a writer puts only what did.
 */

/** Members written at their own block times: each lands unless the record holds that member newer, or its model was deleted after it. */
export function applyWrite(target: EntityModelRecord, names: readonly string[], values: readonly ToriiValue[], ats: readonly number[]): boolean {
  let changed = false;
  for (let i = 0; i < names.length; i += 1) {
    const name = names[i] as string;
    const at = ats[i] as number;
    const at0 = target.names.indexOf(name);
    if (at0 >= 0) {
      const held = target.ats[at0] as number;
      if (at < held) continue;
      // A replay re-admits what the cache already holds (ties land): not a change, so not a write.
      if (at === held && sameValue(target.values[at0], values[i])) continue;
      target.values[at0] = values[i] as ToriiValue;
      target.ats[at0] = at;
    } else {
      // A member the record lacks is older than the model's tombstone only if written before the delete.
      if (target.deletedAt !== undefined && at < target.deletedAt) continue;
      target.names.push(name);
      target.values.push(values[i] as ToriiValue);
      target.ats.push(at);
    }
    changed = true;
  }
  return changed;
}

/** The model was deleted at `at`: members no newer than it go; the tombstone stays so that older writes cannot return. */
export function applyModelDelete(target: EntityModelRecord, at: number): boolean {
  if (target.deletedAt !== undefined && target.deletedAt >= at) return wipeUpTo(target, at);
  target.deletedAt = at;
  wipeUpTo(target, at);
  return true;
}

/** The whole entity was deleted at `at`: members no newer than it go (the entity's own tombstone is kept apart). */
export function applyEntityDelete(target: EntityModelRecord, at: number): boolean {
  const changed = wipeUpTo(target, at);
  // A model tombstone older than the entity's says nothing the entity's does not.
  if (target.deletedAt !== undefined && target.deletedAt <= at) {
    delete target.deletedAt;
    return true;
  }
  return changed;
}

/**
 * Merge a newer record (the summary of later changes, in order) into an older one: its tombstone first (it came before
 * the members it kept, which are as new as it), then its members.
 */
export function mergeRecord(target: EntityModelRecord, newer: EntityModelRecord): boolean {
  const deleted = newer.deletedAt !== undefined && applyModelDelete(target, newer.deletedAt);
  const written = applyWrite(target, newer.names, newer.values, newer.ats);
  return deleted || written;
}

/** Whether the record still says anything: members, or a model tombstone. */
export function isEmptyRecord(record: EntityModelRecord): boolean {
  return record.names.length === 0 && record.deletedAt === undefined;
}

export function emptyRecord(scope: EntityModelRecord["scope"], entityId: string, model: string): EntityModelRecord {
  return { scope, entityId, model, names: [], values: [], ats: [] };
}

/** A deep-enough copy for merging: the arrays are new, the values shared (never mutated). */
export function copyRecord(record: EntityModelRecord): EntityModelRecord {
  const copy: EntityModelRecord = { scope: record.scope, entityId: record.entityId, model: record.model, names: [...record.names], values: [...record.values], ats: [...record.ats] };
  if (record.deletedAt !== undefined) copy.deletedAt = record.deletedAt;
  return copy;
}

/** Structural equality of two Torii values (plain data: primitives, arrays, objects). */
export function sameValue(a: unknown, b: unknown, depth = 0): boolean {
  if (Object.is(a, b)) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object" || depth > 32) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  for (const key of keysA) {
    if (!Object.hasOwn(b, key) || !sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

function wipeUpTo(target: EntityModelRecord, at: number): boolean {
  let kept = 0;
  for (let i = 0; i < target.names.length; i += 1) {
    if ((target.ats[i] as number) <= at) continue;
    target.names[kept] = target.names[i] as string;
    target.values[kept] = target.values[i] as ToriiValue;
    target.ats[kept] = target.ats[i] as number;
    kept += 1;
  }
  if (kept === target.names.length) return false;
  target.names.length = kept;
  target.values.length = kept;
  target.ats.length = kept;
  return true;
}

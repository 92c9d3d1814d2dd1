import type { LedgerScope, ToriiValue } from "../core/types";
import { BUCKETS_PER_SCOPE, isBucketKey, isEntityId, isModelRecord, isTime, type BucketKey, type EntityModelRecord, type EntityState } from "./layout";
import { cacheError } from "./storage-errors";

/**
 * A bucket's record: the entities whose ids hash to it, as one JSON string `{ "<entityId>": { t?, m }, … }`, each entity
 * `{ t?: tombstone, m: [[model, names, values, ats, deletedAt?], …] }` (its members as parallel arrays, as
 * `EntityModelRecord` holds them, so no member name becomes an object key). Chromium's IndexedDB costs about the same
 * per record whatever its size (measured: 80 µs a record read, 270 µs written, for 1.5 KB or 150 KB alike), so a
 * record holds a bucket of entities, not one.
 *
 * Stored compactly, because every byte is paid several times (stringified, cloned by `put`, parsed on every warm
 * start): a primitive that is not a key as `[type_name, value]` (a key one `[type_name, value, 1]`) instead of its
 * whole `{ type, type_name, value, key }`; other values whole; `ats` as one number when every member has the same
 * block time (one update usually carries them all). The whole forms are read too.
 */
type ModelTuple = [string, string[], StoredValue[], number[] | number] | [string, string[], StoredValue[], number[] | number, number];

/** A member value as stored: a primitive compacted, anything else whole. */
type StoredValue = [string, unknown] | [string, unknown, 1] | ToriiValue;

interface EntityBody {
  t?: number;
  m: ModelTuple[];
}

/** The bucket an entity's record lives in: the last three hex digits of its id (ids are hashes: spread evenly). */
export function bucketOf(entityId: string): number {
  const n = entityId.length;
  // Read from the char codes: a flush groups every dirty entity, 100,000 of them after a cold boot.
  return ((hexDigit(entityId.charCodeAt(n - 3)) << 8) | (hexDigit(entityId.charCodeAt(n - 2)) << 4) | hexDigit(entityId.charCodeAt(n - 1))) % BUCKETS_PER_SCOPE;
}

function hexDigit(code: number): number {
  if (code >= 97) return code - 87;
  if (code >= 65) return code - 55;
  return code - 48;
}

/** A bucket's record for these entities (one scope, one bucket); undefined when none has anything left: delete it. */
export function encodeBucket(entities: Iterable<EntityState>): string | undefined {
  const bucket: Record<string, EntityBody> = {};
  let any = false;
  for (const entity of entities) {
    const body = entityBody(entity);
    if (body === undefined) continue;
    bucket[entity.entityId] = body;
    any = true;
  }
  if (!any) return undefined;
  try {
    return JSON.stringify(bucket);
  } catch (thrown) {
    // Torii's values are JSON (numbers, strings, hex); anything else (a bigint from a custom client) is not storable.
    throw cacheError("SYNC_CACHE_UNAVAILABLE", `an entity's values cannot be stored as JSON (${thrown instanceof Error ? thrown.message : String(thrown)})`, thrown);
  }
}

/** The entities a bucket's record holds; throws SYNC_CACHE_CORRUPT for anything this SDK would not have written. */
export function decodeBucket(key: unknown, text: unknown): EntityState[] {
  if (!isBucketKey(key) || typeof text !== "string") throw corrupt();
  const [scope, bucket] = key;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw corrupt();
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw corrupt();
  const entities: EntityState[] = [];
  for (const [entityId, body] of Object.entries(parsed as Record<string, unknown>)) {
    // An id in the wrong bucket would be found by no write: a record this SDK never made.
    if (!isEntityId(entityId) || bucketOf(entityId) !== bucket) throw corrupt();
    entities.push(decodeEntity(scope, entityId, body));
  }
  if (entities.length === 0) throw corrupt();
  return entities;
}

/** The key of an entity's bucket. */
export function bucketKey(scope: LedgerScope, entityId: string): BucketKey {
  return [scope, bucketOf(entityId)];
}

function entityBody(entity: EntityState): EntityBody | undefined {
  const m: ModelTuple[] = [];
  for (const record of entity.models.values()) {
    if (record.deletedAt !== undefined) m.push([record.model, record.names, storedValues(record.values), storedTimes(record.ats), record.deletedAt]);
    else if (record.names.length > 0) m.push([record.model, record.names, storedValues(record.values), storedTimes(record.ats)]);
  }
  if (m.length === 0 && entity.tombstoneAt === undefined) return undefined;
  return entity.tombstoneAt === undefined ? { m } : { t: entity.tombstoneAt, m };
}

function decodeEntity(scope: LedgerScope, entityId: string, body: unknown): EntityState {
  if (body === null || typeof body !== "object" || !Array.isArray((body as EntityBody).m)) throw corrupt();
  const { t, m } = body as EntityBody;
  if (t !== undefined && !isTime(t)) throw corrupt();
  const entity: EntityState = { scope, entityId, tombstoneAt: t, models: new Map() };
  for (const tuple of m as unknown[]) {
    if (!Array.isArray(tuple) || (tuple.length !== 4 && tuple.length !== 5)) throw corrupt();
    const [model, names, stored, times, deletedAt] = tuple as [string, string[], unknown, unknown, number | undefined];
    const values = readValues(stored);
    // One shared time is only ever written for members (an empty list stays a list).
    const ats = typeof times === "number" && Array.isArray(names) && names.length > 0 ? names.map(() => times) : times;
    if (values === undefined) throw corrupt();
    const record = { scope, entityId, model, names, values, ats } as EntityModelRecord;
    if (tuple.length === 5) record.deletedAt = deletedAt as number;
    if (!isModelRecord(record) || entity.models.has(model)) throw corrupt();
    entity.models.set(model, record);
  }
  if (entity.models.size === 0 && t === undefined) throw corrupt();
  return entity;
}

function storedValues(values: readonly ToriiValue[]): StoredValue[] {
  const out: StoredValue[] = new Array(values.length);
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i] as ToriiValue;
    // A primitive without a value stays whole: in an array JSON would turn its `undefined` into `null`.
    out[i] = value.type !== "primitive" || value.value === undefined ? value : value.key === true ? [value.type_name, value.value, 1] : [value.type_name, value.value];
  }
  return out;
}

/** One number when every member has the same block time (an empty list stays a list). */
function storedTimes(ats: readonly number[]): number[] | number {
  const first = ats[0];
  if (first === undefined) return [];
  for (let i = 1; i < ats.length; i += 1) if (ats[i] !== first) return ats as number[];
  return first;
}

/** The values back as Torii hands them over; undefined when one is neither form (the record is corrupt). */
function readValues(stored: unknown): ToriiValue[] | undefined {
  if (!Array.isArray(stored)) return undefined;
  const values: ToriiValue[] = new Array(stored.length);
  for (let i = 0; i < stored.length; i += 1) {
    const raw: unknown = stored[i];
    if (!Array.isArray(raw)) {
      // The whole form: checked with the rest of the record (isModelRecord).
      values[i] = raw as ToriiValue;
      continue;
    }
    const key = raw.length === 3 && raw[2] === 1;
    if ((raw.length !== 2 && !key) || typeof raw[0] !== "string") return undefined;
    values[i] = { type: "primitive", type_name: raw[0], value: raw[1], key };
  }
  return values;
}

function corrupt(): Error {
  return cacheError("SYNC_CACHE_CORRUPT", "an entity record is unreadable");
}

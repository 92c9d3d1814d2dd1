import type { DBSchema } from "idb";
import type { LedgerScope, ModelTag, ToriiValue } from "../core/types";
import { FORBIDDEN_KEYS } from "../core/writer/torii-values";

/**
 * The IndexedDB layout of one persisted sync: one database per `persist.name`, two object stores. Bump the layout
 * version only when the stores themselves change (an upgrade drops every store and starts afresh: it is only a cache);
 * a new schema fingerprint or package version clears the stores instead (no upgrade, so a tab still open on the old
 * layout never blocks it).
 * Version 4: entities in buckets, a record per bucket of ids (a JSON string under the out-of-line key
 * `[scope, bucket]`): Chromium's IndexedDB costs about the same per record whatever its size, so a record per entity
 * (version 3) made reading 100,000 back take 15 s and writing them 78 s. Within version 4 the records became compact
 * (primitives as `[type_name, value]`, one shared block time: entity-row.ts); the older whole form is still read. Version 1 kept a record per entity × model
 * as a tree of objects (every value structured-cloned); version 2 a record per entity under a key path (Chromium
 * deserialises a copy of every value put to read its key).
 */
export const CACHE_LAYOUT_VERSION = 4;

/** The prefix of every database name this SDK makes by default (`clearPersistedSync()` removes them all). */
export const CACHE_NAME_PREFIX = "torii-sync-guard:";

export const META = "meta";
export const BUCKETS = "buckets";
export const STORES = [META, BUCKETS] as const;
/**
 * Buckets per scope. 4,096: about 24 entities a record at 100,000 entities (37 KB), 244 at a million; a changed entity
 * rewrites its bucket, so more buckets mean less rewritten per change and more records to read back.
 */
export const BUCKETS_PER_SCOPE = 4_096;

/** Which schema and SDK wrote the cache: anything else reads it as a stranger's and starts afresh. */
export interface CacheIdentity {
  readonly fingerprint: string;
  readonly packageVersion: string;
}

/**
 * The newest block time (`executed_at`, seconds) the cache holds everything up to, and when it was written (ms since
 * the epoch). Written last in a flush: whatever a closed tab left behind, the cache holds at least this much.
 */
export interface Watermark {
  readonly executedAt: number;
  readonly takenAt: number;
}

/**
 * One entity × model, in memory (the writer's merge, the dirty set, hydration): its members as parallel arrays (as
 * `AdmittedChange` carries them: no member name ever becomes an object key), each with the block time of the update
 * that carried it. `deletedAt` is the model's tombstone: every member left is at least as new as it.
 */
export interface EntityModelRecord {
  scope: LedgerScope;
  entityId: string;
  model: ModelTag;
  names: string[];
  values: ToriiValue[];
  ats: number[];
  deletedAt?: number;
}

/**
 * One entity, in memory: `tombstoneAt` is the whole entity's delete (a floor below which nothing of it may come back),
 * `models` a record per model. The unit of a write and of a read: one entity lands whole or not at all.
 */
export interface EntityState {
  readonly scope: LedgerScope;
  readonly entityId: string;
  tombstoneAt: number | undefined;
  readonly models: Map<ModelTag, EntityModelRecord>;
}

/** A bucket's key (out of line: the record is only its JSON, entity-row.ts writes and reads it). */
export type BucketKey = [LedgerScope, number];

export interface CacheSchema extends DBSchema {
  [META]: { key: "identity" | "watermark"; value: CacheIdentity | Watermark };
  [BUCKETS]: { key: BucketKey; value: string };
}

const ENTITY_ID = /^0x[0-9a-f]{64}$/;
const MODEL_TAG = /^[A-Za-z0-9_]{1,128}-[A-Za-z0-9_]{1,128}$/;

export const isTime = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0;
const isScope = (value: unknown): value is LedgerScope => value === "entities" || value === "events";
const isValue = (value: unknown): boolean =>
  value !== null && typeof value === "object" && typeof (value as ToriiValue).type === "string" && typeof (value as ToriiValue).type_name === "string";

/** Whether a key read back is a bucket key this SDK writes (the record is checked as it is decoded: entity-row.ts). */
export function isBucketKey(raw: unknown): raw is BucketKey {
  return Array.isArray(raw) && raw.length === 2 && isScope(raw[0]) && Number.isInteger(raw[1]) && raw[1] >= 0 && raw[1] < BUCKETS_PER_SCOPE;
}

export const isEntityId = (value: string): boolean => ENTITY_ID.test(value);

/**
 * Whether a model record decoded from a row is one this SDK wrote. Storage can hand back anything (a disk error, an
 * extension, an older layout under the same name): a record that fails this is corruption, never input to the engine.
 */
export function isModelRecord(r: EntityModelRecord): boolean {
  if (typeof r.model !== "string" || !MODEL_TAG.test(r.model)) return false;
  if (r.deletedAt !== undefined && !isTime(r.deletedAt)) return false;
  const { names, values, ats } = r;
  if (!Array.isArray(names) || !Array.isArray(values) || !Array.isArray(ats)) return false;
  if (names.length !== values.length || names.length !== ats.length) return false;
  for (let i = 0; i < names.length; i += 1) {
    const name: unknown = names[i];
    if (typeof name !== "string" || name === "" || FORBIDDEN_KEYS.has(name) || !isValue(values[i]) || !isTime(ats[i])) return false;
  }
  return names.length > 0 || r.deletedAt !== undefined;
}

export function isWatermark(raw: unknown): raw is Watermark {
  if (raw === null || typeof raw !== "object") return false;
  const w = raw as Partial<Watermark>;
  return isTime(w.executedAt) && typeof w.takenAt === "number" && Number.isFinite(w.takenAt);
}

export function isCacheIdentity(raw: unknown): raw is CacheIdentity {
  if (raw === null || typeof raw !== "object") return false;
  const i = raw as Partial<CacheIdentity>;
  return typeof i.fingerprint === "string" && typeof i.packageVersion === "string";
}

export function sameIdentity(a: CacheIdentity, b: CacheIdentity): boolean {
  return a.fingerprint === b.fingerprint && a.packageVersion === b.packageVersion;
}

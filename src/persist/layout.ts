import type { DBSchema } from "idb";
import type { LedgerScope, ModelTag, ToriiValue } from "../core/types";
import { FORBIDDEN_KEYS } from "../core/writer/torii-values";

/**
 * The IndexedDB layout of one persisted sync: one database per `persist.name`, three object stores. Bump the layout
 * version only when the stores themselves change; a new schema fingerprint or package version clears the stores
 * instead (no upgrade, so a tab still open on the old layout never blocks it).
 */
export const CACHE_LAYOUT_VERSION = 1;

/** The prefix of every database name this SDK makes by default (`clearPersistedSync()` removes them all). */
export const CACHE_NAME_PREFIX = "torii-sync-guard:";

export const META = "meta";
export const ENTITY_MODELS = "entityModels";
export const ENTITY_TOMBSTONES = "entityTombstones";
export const STORES = [META, ENTITY_MODELS, ENTITY_TOMBSTONES] as const;

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
 * One entity × model: its members as parallel arrays (as `AdmittedChange` carries them: compact to clone, and no
 * member name ever becomes an object key), each with the block time of the update that carried it. `deletedAt` is the
 * model's tombstone: every member left is at least as new as it.
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

/** A whole entity removed at block time `at`: a floor below which nothing of it may come back. */
export interface EntityTombstoneRecord {
  scope: LedgerScope;
  entityId: string;
  at: number;
}

export type EntityModelKey = [LedgerScope, string, ModelTag];
export type EntityKey = [LedgerScope, string];

export interface CacheSchema extends DBSchema {
  [META]: { key: "identity" | "watermark"; value: CacheIdentity | Watermark };
  [ENTITY_MODELS]: { key: EntityModelKey; value: EntityModelRecord };
  [ENTITY_TOMBSTONES]: { key: EntityKey; value: EntityTombstoneRecord };
}

/** Every record of one entity: `[scope, id]` sorts before `[scope, id, model]`, and an array after every string. */
export function entityRange(scope: LedgerScope, entityId: string): IDBKeyRange {
  return IDBKeyRange.bound([scope, entityId], [scope, entityId, []]);
}

const ENTITY_ID = /^0x[0-9a-f]{64}$/;
const MODEL_TAG = /^[A-Za-z0-9_]{1,128}-[A-Za-z0-9_]{1,128}$/;

const isTime = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0;
const isScope = (value: unknown): value is LedgerScope => value === "entities" || value === "events";
const isValue = (value: unknown): boolean =>
  value !== null && typeof value === "object" && typeof (value as ToriiValue).type === "string" && typeof (value as ToriiValue).type_name === "string";

/**
 * Whether a record read back is one this SDK wrote. Storage can hand back anything (a disk error, an extension, an
 * older layout under the same name): a record that fails this is corruption, never input to the engine.
 */
export function isEntityModelRecord(raw: unknown): raw is EntityModelRecord {
  if (raw === null || typeof raw !== "object") return false;
  const r = raw as Partial<EntityModelRecord>;
  if (!isScope(r.scope) || typeof r.entityId !== "string" || !ENTITY_ID.test(r.entityId)) return false;
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

export function isEntityTombstoneRecord(raw: unknown): raw is EntityTombstoneRecord {
  if (raw === null || typeof raw !== "object") return false;
  const r = raw as Partial<EntityTombstoneRecord>;
  return isScope(r.scope) && typeof r.entityId === "string" && ENTITY_ID.test(r.entityId) && isTime(r.at);
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

import type { ToriiValue } from "../core/types";
import { isEntityKey, isModelRecord, isTime, type EntityModelRecord, type EntityRow, type EntityState } from "./layout";
import { cacheError } from "./storage-errors";

/**
 * An entity's row and its body: one JSON string per entity, so a put and a read are the copy of one string (a
 * structured clone of a tree of objects per value costs far more, and its reading ran in the storage's result task,
 * outside any slice). The body is `{ t?: tombstone, m: [[model, names, values, ats, deletedAt?], …] }`: the members as
 * parallel arrays, as `EntityModelRecord` holds them, so no member name becomes an object key.
 */
type ModelTuple = [string, string[], ToriiValue[], number[]] | [string, string[], ToriiValue[], number[], number];

interface Body {
  t?: number;
  m: ModelTuple[];
}

/** The row to put for an entity; undefined when nothing of it is left to keep (no member, no tombstone): delete it. */
export function encodeEntity(entity: EntityState): EntityRow | undefined {
  const m: ModelTuple[] = [];
  for (const record of entity.models.values()) {
    if (record.deletedAt !== undefined) m.push([record.model, record.names, record.values, record.ats, record.deletedAt]);
    else if (record.names.length > 0) m.push([record.model, record.names, record.values, record.ats]);
  }
  if (m.length === 0 && entity.tombstoneAt === undefined) return undefined;
  const body: Body = entity.tombstoneAt === undefined ? { m } : { t: entity.tombstoneAt, m };
  let text: string;
  try {
    text = JSON.stringify(body);
  } catch (thrown) {
    // Torii's values are JSON (numbers, strings, hex); anything else (a bigint from a custom client) is not storable.
    throw cacheError("SYNC_CACHE_UNAVAILABLE", `an entity's values cannot be stored as JSON (${thrown instanceof Error ? thrown.message : String(thrown)})`, thrown);
  }
  return { key: [entity.scope, entity.entityId], body: text };
}

/** An entity as its key and body say it is; throws SYNC_CACHE_CORRUPT for anything this SDK would not have written. */
export function decodeEntity(key: unknown, text: unknown): EntityState {
  if (!isEntityKey(key) || typeof text !== "string") throw corrupt();
  const [scope, entityId] = key;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw corrupt();
  }
  if (body === null || typeof body !== "object" || !Array.isArray((body as Body).m)) throw corrupt();
  const { t, m } = body as Body;
  if (t !== undefined && !isTime(t)) throw corrupt();
  const entity: EntityState = { scope, entityId, tombstoneAt: t, models: new Map() };
  for (const tuple of m as unknown[]) {
    if (!Array.isArray(tuple) || (tuple.length !== 4 && tuple.length !== 5)) throw corrupt();
    const [model, names, values, ats, deletedAt] = tuple as [string, string[], ToriiValue[], number[], number | undefined];
    const record: EntityModelRecord = { scope, entityId, model, names, values, ats };
    if (tuple.length === 5) record.deletedAt = deletedAt as number;
    if (!isModelRecord(record) || entity.models.has(model)) throw corrupt();
    entity.models.set(model, record);
  }
  if (entity.models.size === 0 && t === undefined) throw corrupt();
  return entity;
}

function corrupt(): Error {
  return cacheError("SYNC_CACHE_CORRUPT", "an entity record is unreadable");
}

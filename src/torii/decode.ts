import { isZeroEntityId, normalizeEntityIdCached, type EntityId } from "../core/entity-id";
import { asSyncError, SyncError } from "../core/errors";
import type { IntakeSink } from "../core/ports";
import type { LedgerScope } from "../core/types";
import { MAX_VERSION_MAJOR } from "../core/version";
import { FORBIDDEN_KEYS, isForbiddenKey } from "../core/writer/convert";
import { checkShape, isToriiValueShape } from "./validate";

const MODEL_TAG = /^[A-Za-z0-9_]{1,128}-[A-Za-z0-9_]{1,128}$/;
/** Tags already checked: a stream repeats the same few model names. */
const knownTags = new Set<string>();

/**
 * The one decoder of Torii entities, for streams, pages and probes alike: it reads a raw entity as the client hands it
 * over and writes it straight into `sink`, one call per model, with no object per update in between (a burst is
 * hundreds of thousands of these). A bad id or timestamp rejects the entity; a bad model rejects that model and the
 * rest still goes through. Member values are checked at their top level here, in depth by the writer, for the few that
 * survive compaction. `stream` says whether the all-zero entity is the client's reconnect signal (it is on a stream);
 * `normalizeId` is the source's own memo of ids. Nothing read from `raw` escapes as a throw, not even from a getter of
 * a hostile object: it becomes a `sink.reject`. Returns the entity's `executed_at` when it was read valid, else -1, so the
 * source keeps the newest one without reading the object twice.
 */
export function decodeEntity(raw: unknown, scope: LedgerScope, stream: boolean, sink: IntakeSink, normalizeId: (raw: unknown) => EntityId = normalizeEntityIdCached): number {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    sink.reject(new SyncError("SYNC_BAD_PAYLOAD", "A Torii entity must be an object { hashed_keys, models, executed_at, … }."), scope);
    return -1;
  }
  const entity = raw as { hashed_keys?: unknown; models?: unknown; executed_at?: unknown; updated_at?: unknown };
  let hashedKeys: unknown;
  // Undefined when `models` is not an object keyed by tag.
  let models: object | undefined;
  let empty = true;
  let entityId: EntityId | undefined;
  let executedAt = -1;
  // Every read of the entity's own fields is in here: a getter, or a Proxy's trap, may throw.
  try {
    hashedKeys = entity.hashed_keys;
    const read = entity.models;
    if (read !== null && typeof read === "object" && !Array.isArray(read)) models = read;
    if (models !== undefined) {
      for (const tag in models) {
        if (Object.hasOwn(models, tag)) {
          empty = false;
          break;
        }
      }
    }
    // The client's reconnect signal leaves entityId undefined.
    if (!(stream && models !== undefined && empty && isZeroEntityId(hashedKeys))) {
      entityId = normalizeId(hashedKeys);
      const at = entity.executed_at;
      executedAt = isTimestamp(at) ? at : readTimestamp(at, "executed_at");
      const updatedAt = entity.updated_at;
      if (!isTimestamp(updatedAt)) readTimestamp(updatedAt, "updated_at");
    }
  } catch (thrown) {
    // A readable id means the entity exists on the server: the error names it, so a replay does not take the rejected
    // row for a removal. Without a valid timestamp the message ends with this reject (no entityEnd).
    const id = entityId ?? idOrUndefined(hashedKeys, normalizeId);
    const error = asSyncError(thrown, "the entity's id, models or timestamps");
    sink.reject(id === undefined ? error : new SyncError(error.code, `Entity ${id}: ${error.message}`, { entityId: id, cause: error }), scope);
    return executedAt;
  }
  if (entityId === undefined) {
    sink.gap();
    return -1;
  }
  if (models === undefined) {
    sink.reject(new SyncError("SYNC_BAD_PAYLOAD", `Entity ${entityId}: models must be an object keyed by "namespace-Model".`, { entityId }), scope, entityId, executedAt);
    sink.entityEnd(scope, entityId, executedAt);
    return executedAt;
  }
  if (empty) sink.deleteEntity(scope, entityId, executedAt);
  else {
    try {
      for (const tag in models) {
        if (!Object.hasOwn(models, tag)) continue;
        try {
          checkTag(tag);
          const body = (models as Record<string, unknown>)[tag];
          const count = countMembers(body, tag);
          if (count === 0) sink.deleteModel(scope, entityId, executedAt, tag);
          else sink.write(scope, entityId, executedAt, tag, body as Readonly<Record<string, unknown>>, count);
        } catch (thrown) {
          const error = asSyncError(thrown, tag);
          sink.reject(new SyncError(error.code, `Entity ${entityId}: ${error.message}`, { entityId, model: tag, cause: error }), scope, entityId, executedAt);
        }
      }
    } catch (thrown) {
      // A Proxy's traps can throw while the models are walked: no model named, so a replay keeps all of them.
      const error = asSyncError(thrown, "the entity's models");
      sink.reject(new SyncError(error.code, `Entity ${entityId}: ${error.message}`, { entityId, cause: error }), scope, entityId, executedAt);
    }
  }
  sink.entityEnd(scope, entityId, executedAt);
  return executedAt;
}

/** The id of an entity whose other fields could not be read, when its `hashed_keys` is one. */
function idOrUndefined(hashedKeys: unknown, normalizeId: (raw: unknown) => EntityId): EntityId | undefined {
  try {
    return normalizeId(hashedKeys);
  } catch {
    return undefined;
  }
}

export function checkTag(tag: string): void {
  if (knownTags.has(tag)) return;
  if (FORBIDDEN_KEYS.has(tag)) throw new SyncError("SYNC_FORBIDDEN_KEY", `Model name "${tag}" is not allowed.`);
  if (!MODEL_TAG.test(tag)) throw new SyncError("SYNC_BAD_PAYLOAD", `Model name ${JSON.stringify(tag.slice(0, 80))} is not a "namespace-Model" tag.`);
  if (knownTags.size < 10_000) knownTags.add(tag);
}

/** Torii's timestamps: whole seconds, as a number or a decimal string. */
export function readTimestamp(raw: unknown, field: string): number {
  const value = typeof raw === "string" && /^\d{1,16}$/.test(raw) ? Number(raw) : raw;
  if (!isTimestamp(value)) {
    throw new SyncError("SYNC_BAD_TIMESTAMP", `${field} must be a whole number of seconds ≥ 0, got ${JSON.stringify(raw) ?? String(raw)}.`);
  }
  return value;
}

function isTimestamp(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_VERSION_MAJOR;
}

/** Count the members of a model body, checking each key and each value's shape; 0 means the model was deleted. */
function countMembers(body: unknown, tag: string): number {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new SyncError("SYNC_BAD_PAYLOAD", `${tag}: expected an object of members.`);
  let count = 0;
  for (const name in body) {
    if (!Object.hasOwn(body, name)) continue;
    if (isForbiddenKey(name)) throw new SyncError("SYNC_FORBIDDEN_KEY", `${tag}: member name "${name}" is not allowed.`);
    const value = (body as Record<string, unknown>)[name];
    if (!isToriiValueShape(value)) checkShape(value, `${tag}.${name}`);
    count += 1;
  }
  return count;
}

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
 * `normalizeId` is the source's own memo of ids.
 */
export function decodeEntity(raw: unknown, scope: LedgerScope, stream: boolean, sink: IntakeSink, normalizeId: (raw: unknown) => EntityId = normalizeEntityIdCached): void {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    sink.reject(new SyncError("SYNC_BAD_PAYLOAD", "A Torii entity must be an object { hashed_keys, models, executed_at, … }."), scope);
    return;
  }
  const entity = raw as { hashed_keys?: unknown; models?: unknown; executed_at?: unknown; updated_at?: unknown };
  const models = entity.models;
  const modelsOk = models !== null && typeof models === "object" && !Array.isArray(models);
  let empty = true;
  if (modelsOk) for (const tag in models) if (Object.hasOwn(models, tag)) empty = false;
  if (stream && modelsOk && empty && isZeroEntityId(entity.hashed_keys)) {
    sink.gap();
    return;
  }
  let entityId: EntityId;
  let executedAt: number;
  try {
    entityId = normalizeId(entity.hashed_keys);
    executedAt = isTimestamp(entity.executed_at) ? entity.executed_at : readTimestamp(entity.executed_at, "executed_at");
    if (!isTimestamp(entity.updated_at)) readTimestamp(entity.updated_at, "updated_at");
  } catch (error) {
    sink.reject(asSyncError(error, "the entity's id or timestamps"), scope);
    return;
  }
  if (!modelsOk) {
    sink.reject(new SyncError("SYNC_BAD_PAYLOAD", `Entity ${entityId}: models must be an object keyed by "namespace-Model".`, { entityId }), scope, entityId, executedAt);
    sink.entityEnd(scope, entityId, executedAt);
    return;
  }
  if (empty) sink.deleteEntity(scope, entityId, executedAt);
  else {
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
  }
  sink.entityEnd(scope, entityId, executedAt);
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

import { isZeroEntityId, normalizeEntityIdCached } from "../core/entity-id";
import { SyncError } from "../core/errors";
import type { LedgerScope, ModelChange, ModelTag, SyncUpdate, UpdateMeta, UpdateOrigin } from "../core/types";
import { MAX_VERSION_MAJOR } from "../core/version";
import { FORBIDDEN_KEYS } from "../core/writer/convert";
import { validateMembers } from "./validate";

/** What one raw Torii entity turns into: an update (maybe with some models rejected), a gap signal, or nothing. */
export type NormalizedEntity =
  | { readonly kind: "update"; readonly update: SyncUpdate; readonly errors: readonly SyncError[] }
  | { readonly kind: "gap" }
  | { readonly kind: "rejected"; readonly errors: readonly SyncError[] };

const MODEL_TAG = /^[A-Za-z0-9_]{1,128}-[A-Za-z0-9_]{1,128}$/;
/** Tags already checked: a stream repeats the same few model names. */
const knownTags = new Set<string>();

export function checkTag(tag: string): void {
  if (knownTags.has(tag)) return;
  if (FORBIDDEN_KEYS.has(tag)) throw new SyncError("SYNC_FORBIDDEN_KEY", `Model name "${tag}" is not allowed.`);
  if (!MODEL_TAG.test(tag)) throw new SyncError("SYNC_BAD_PAYLOAD", `Model name ${JSON.stringify(tag.slice(0, 80))} is not a "namespace-Model" tag.`);
  if (knownTags.size < 10_000) knownTags.add(tag);
}

/**
 * Turn what the Torii client hands over into a SyncUpdate. A malformed model is rejected alone and the rest of the
 * entity still lands; a malformed id or timestamp rejects the entity. The all-zero entity that the client emits after
 * a silent reconnect is a gap signal, never an update.
 */
export function normalizeEntity(raw: unknown, scope: LedgerScope, origin: UpdateOrigin): NormalizedEntity {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return rejected(new SyncError("SYNC_BAD_PAYLOAD", "A Torii entity must be an object { hashed_keys, models, executed_at, … }."));
  }
  const entity = raw as { hashed_keys?: unknown; models?: unknown; executed_at?: unknown; updated_at?: unknown };
  const models = entity.models;
  if (origin === "stream" && isZeroEntityId(entity.hashed_keys) && isEmptyObject(models)) return { kind: "gap" };

  let entityId;
  let meta: UpdateMeta;
  try {
    entityId = normalizeEntityIdCached(entity.hashed_keys);
    meta = { executedAt: readTimestamp(entity.executed_at, "executed_at"), updatedAt: readTimestamp(entity.updated_at, "updated_at") };
  } catch (error) {
    return rejected(error as SyncError);
  }
  if (models === null || typeof models !== "object" || Array.isArray(models)) {
    return rejected(new SyncError("SYNC_BAD_PAYLOAD", `Entity ${entityId}: models must be an object keyed by "namespace-Model".`, { entityId }));
  }

  const changes = new Map<ModelTag, ModelChange>();
  const errors: SyncError[] = [];
  for (const tag of Object.keys(models)) {
    try {
      checkTag(tag);
      const body = (models as Record<string, unknown>)[tag];
      const members = validateMembers(body, tag);
      changes.set(tag, members.size === 0 ? { kind: "delete" } : { kind: "write", members });
    } catch (error) {
      if (!(error instanceof SyncError)) throw error;
      errors.push(new SyncError(error.code, `Entity ${entityId}: ${error.message}`, { entityId, model: tag, cause: error }));
    }
  }
  // `models: {}` is the older Torii's whole-entity delete; a models object whose every model was rejected is not.
  const entityDeleted = Object.keys(models).length === 0;
  if (!entityDeleted && changes.size === 0) return { kind: "rejected", errors };
  return { kind: "update", update: { entityId, scope, models: changes, entityDeleted, meta, origin }, errors };
}

export function readTimestamp(raw: unknown, field: string): number {
  const value = typeof raw === "string" && /^\d{1,16}$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_VERSION_MAJOR) {
    throw new SyncError("SYNC_BAD_TIMESTAMP", `${field} must be a whole number of seconds ≥ 0, got ${JSON.stringify(raw) ?? String(raw)}.`);
  }
  return value;
}

function isEmptyObject(value: unknown): boolean {
  return value !== null && typeof value === "object" && Object.keys(value).length === 0;
}

function rejected(error: SyncError): NormalizedEntity {
  return { kind: "rejected", errors: [error] };
}

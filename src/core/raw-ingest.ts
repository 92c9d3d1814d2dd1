import { isZeroEntityId, normalizeEntityIdCached, type EntityId } from "./entity-id";
import { asSyncError, SyncError } from "./errors";
import type { PendingEntity, UpdateQueue } from "./queue";
import type { LedgerScope, ModelTag, ToriiValue, UpdateOrigin } from "./types";
import { MAX_VERSION_MAJOR, NO_VERSION, packVersion, type VersionPolicy } from "./version";
import { FORBIDDEN_KEYS } from "./writer/convert";
import { checkShape, isToriiValueShape } from "../torii/validate";
import { checkTag, readTimestamp } from "../torii/normalize";

export interface RawIngestDeps {
  /** Whether a component is bound to the model. */
  isKnown(model: ModelTag): boolean;
  /** Reads a component's own version through its configured path (see VersionPolicyOptions.versionPaths). */
  readonly policy: VersionPolicy;
  reject(error: SyncError): void;
}

/** What became of one raw entity: its id when something of it was queued or rejected, or the reconnect gap signal. */
export type RawIngestResult =
  | { readonly kind: "queued"; readonly entityId: EntityId }
  | { readonly kind: "gap" }
  /**
   * Nothing of it was queued. `entityId` and `executedAt` are there when the id and timestamp were valid (the entity
   * exists, its models were bad or unbound); `inScope` says whether any of its models is bound (synced).
   */
  | { readonly kind: "rejected"; readonly entityId?: EntityId; readonly executedAt?: number; readonly inScope?: boolean };

const GAP: RawIngestResult = { kind: "gap" };
const REJECTED: RawIngestResult = { kind: "rejected" };

/**
 * The hot path: a raw entity as the Torii client hands it over is checked and merged into its queue item in one pass,
 * with no intermediate objects (a burst is hundreds of thousands of these). Checks match `normalizeEntity`'s: a bad id
 * or timestamp rejects the entity, a bad or unknown model rejects that model, the rest still lands. Member values are
 * checked at their top level here and in depth by the writer, for the few that survive compaction.
 */
export function ingestRaw(raw: unknown, scope: LedgerScope, origin: UpdateOrigin, queue: UpdateQueue, deps: RawIngestDeps): RawIngestResult {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    deps.reject(new SyncError("SYNC_BAD_PAYLOAD", "A Torii entity must be an object { hashed_keys, models, executed_at, … }."));
    return REJECTED;
  }
  const entity = raw as { hashed_keys?: unknown; models?: unknown; executed_at?: unknown; updated_at?: unknown };
  const models = entity.models;
  const modelsOk = models !== null && typeof models === "object" && !Array.isArray(models);
  let empty = true;
  if (modelsOk) for (const tag in models) if (Object.hasOwn(models, tag)) empty = false;
  if (origin === "stream" && modelsOk && empty && isZeroEntityId(entity.hashed_keys)) return GAP;

  let entityId: EntityId;
  let executedAt: number;
  try {
    entityId = normalizeEntityIdCached(entity.hashed_keys);
    executedAt = typeof entity.executed_at === "number" && Number.isInteger(entity.executed_at) && entity.executed_at >= 0 && entity.executed_at <= MAX_VERSION_MAJOR ? entity.executed_at : readTimestamp(entity.executed_at, "executed_at");
    if (typeof entity.updated_at !== "number" || !Number.isInteger(entity.updated_at) || entity.updated_at < 0) readTimestamp(entity.updated_at, "updated_at");
  } catch (error) {
    deps.reject(asSyncError(error, "the entity's id or timestamps"));
    return REJECTED;
  }
  if (!modelsOk) {
    deps.reject(new SyncError("SYNC_BAD_PAYLOAD", `Entity ${entityId}: models must be an object keyed by "namespace-Model".`, { entityId }));
    return { kind: "rejected", entityId, executedAt, inScope: false };
  }
  const entityVersion = packVersion(executedAt, 0);
  // Created on the first change that is accepted, so an entity whose every model is rejected queues nothing.
  // (No closure for this: it would be allocated per message.)
  let item: PendingEntity | undefined;
  let inScope = false;
  if (empty) {
    // `models: {}` is the older Torii's whole-entity delete.
    item = queue.itemFor(entityId, scope, origin, executedAt);
    if (item !== undefined) queue.mergeEntityDelete(item, entityVersion);
  } else {
    for (const tag in models) {
      if (!Object.hasOwn(models, tag)) continue;
      const body = (models as Record<string, unknown>)[tag];
      try {
        checkTag(tag);
        if (!deps.isKnown(tag)) {
          throw new SyncError("SYNC_UNKNOWN_MODEL", `Torii sent model "${tag}" but no component is bound to it; pass its component to sync it.`);
        }
        inScope = true;
        const count = checkBody(body, tag);
        item ??= queue.itemFor(entityId, scope, origin, executedAt);
        const target = item;
        if (target === undefined) return { kind: "rejected", entityId, executedAt, inScope };
        if (count === 0) {
          queue.mergeModelDelete(target, tag, entityVersion);
          continue;
        }
        const members = body as Record<string, ToriiValue>;
        // A model versioned by its own member compares writes by it (NO_VERSION when this update lacks it); deletes and
        // floors still compare by block time, which every change carries.
        let version = entityVersion;
        if (deps.policy.hasOwnVersion(tag)) {
          const own = deps.policy.ownVersionOf(tag, (name) => (Object.hasOwn(members, name) ? members[name] : undefined));
          version = own === undefined ? NO_VERSION : packVersion(own, 0);
        }
        queue.mergeWrite(target, tag, version, entityVersion, body as Record<string, unknown>);
      } catch (thrown) {
        const error = asSyncError(thrown, tag);
        deps.reject(new SyncError(error.code, `Entity ${entityId}: ${error.message}`, { entityId, model: tag, cause: error }));
      }
    }
  }
  if (item === undefined) return { kind: "rejected", entityId, executedAt, inScope };
  queue.schedule();
  return { kind: "queued", entityId };
}

/** Count the members of a model body, checking each key and each value's shape; 0 means the model was deleted. */
function checkBody(body: unknown, tag: string): number {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new SyncError("SYNC_BAD_PAYLOAD", `${tag}: expected an object of members.`);
  let count = 0;
  for (const name in body) {
    if (!Object.hasOwn(body, name)) continue;
    if (FORBIDDEN_KEYS.has(name)) throw new SyncError("SYNC_FORBIDDEN_KEY", `${tag}: member name "${name}" is not allowed.`);
    const value = (body as Record<string, unknown>)[name];
    if (!isToriiValueShape(value)) checkShape(value, `${tag}.${name}`);
    count += 1;
  }
  return count;
}


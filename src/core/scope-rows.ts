import { isZeroEntityId, normalizeEntityIdCached, type EntityId } from "./entity-id";
import type { SyncSource } from "./source-types";
import type { LedgerScope, ModelTag } from "./types";
import { MAX_VERSION_MAJOR } from "./version";

/** What a probe or a confirming read needs of a page row: its id, entity-wide `executed_at` and bound models. */
export interface ScopeRow {
  readonly entityId: EntityId;
  readonly executedAt: number;
  readonly models: readonly ModelTag[];
}

/** A page row that holds at least one bound model; `undefined` for anything else (malformed rows included). */
export function readScopeRow(raw: unknown, isBound: (model: ModelTag) => boolean): ScopeRow | undefined {
  if (raw === null || typeof raw !== "object") return undefined;
  const row = raw as { hashed_keys?: unknown; models?: unknown; executed_at?: unknown };
  if (isZeroEntityId(row.hashed_keys) || row.models === null || typeof row.models !== "object") return undefined;
  const models: ModelTag[] = [];
  for (const tag in row.models) if (Object.hasOwn(row.models, tag) && isBound(tag)) models.push(tag);
  if (models.length === 0) return undefined;
  const executedAt = typeof row.executed_at === "string" && /^\d{1,16}$/.test(row.executed_at) ? Number(row.executed_at) : row.executed_at;
  if (typeof executedAt !== "number" || !Number.isInteger(executedAt) || executedAt < 0 || executedAt > MAX_VERSION_MAJOR) return undefined;
  try {
    return { entityId: normalizeEntityIdCached(row.hashed_keys), executedAt, models };
  } catch {
    return undefined;
  }
}

/**
 * Read the whole scope once more, page by page, keeping each entity's bound models: a second snapshot to confirm
 * what the first one lacks. `undefined` when a page fails or a cursor repeats: nothing is confirmed then.
 */
export async function rereadScope(source: SyncSource, scope: LedgerScope, pageLimit: number, isBound: (model: ModelTag) => boolean): Promise<Map<EntityId, ReadonlySet<ModelTag>> | undefined> {
  const rows = new Map<EntityId, ReadonlySet<ModelTag>>();
  const cursors = new Set<string>();
  let cursor: string | undefined;
  try {
    do {
      const page = await source.fetchPage(scope, cursor, pageLimit, "replay");
      for (const raw of page.items) {
        const row = readScopeRow(raw, isBound);
        if (row !== undefined) rows.set(row.entityId, new Set(row.models));
      }
      cursor = page.nextCursor;
      if (cursor !== undefined) {
        if (cursors.has(cursor)) return undefined;
        cursors.add(cursor);
      }
    } while (cursor !== undefined);
  } catch {
    return undefined;
  }
  return rows;
}

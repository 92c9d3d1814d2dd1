import type { EntityId } from "../entity-id";
import type { IntakeSink, SyncSource } from "../ports";
import type { LedgerScope, ModelTag } from "../types";

/** What a probe or a confirming read needs of a page row: its id, entity-wide `executed_at` and bound models. */
export type RowListener = (entityId: EntityId, executedAt: number, models: readonly ModelTag[]) => void;

/**
 * A sink that applies nothing: it hands each row that holds a bound model (a malformed one included: it exists on the
 * server) to `onRow`. For probes and confirmations, which read pages but must not write RECS.
 */
export function rowCollector(isBound: (model: ModelTag) => boolean, onRow: RowListener): IntakeSink {
  const models: ModelTag[] = [];
  const note = (model: ModelTag): void => {
    if (isBound(model)) models.push(model);
  };
  return {
    write: (_scope, _id, _at, model) => note(model),
    deleteModel: () => undefined,
    deleteEntity: () => undefined,
    gap: () => undefined,
    reject: (error) => {
      if (error.model !== undefined) note(error.model);
    },
    entityEnd(_scope, entityId, executedAt) {
      if (models.length > 0) onRow(entityId, executedAt, [...models]);
      models.length = 0;
    },
    closedStream: () => undefined,
  };
}

/**
 * Read the whole scope once more, page by page, keeping each entity's bound models: a second snapshot to confirm
 * what the first one lacks. `undefined` when a page fails or a cursor repeats: nothing is confirmed then.
 */
export async function rereadScope(source: SyncSource, scope: LedgerScope, pageLimit: number, isBound: (model: ModelTag) => boolean): Promise<Map<EntityId, ReadonlySet<ModelTag>> | undefined> {
  const rows = new Map<EntityId, ReadonlySet<ModelTag>>();
  const sink = rowCollector(isBound, (entityId, _executedAt, models) => rows.set(entityId, new Set(models)));
  const cursors = new Set<string>();
  let cursor: string | undefined;
  try {
    do {
      cursor = (await source.fetchPage(scope, cursor, pageLimit, sink)).nextCursor;
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

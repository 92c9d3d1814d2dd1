import type { Query, RetrieveEntitiesResponse } from "@dojoengine/grpc";
import { PaginationDirection } from "@dojoengine/grpc";
import { fromBytes } from "../protocol/felt";
import { assertSupportedClause, idFilterOf, matchesClause, modelsSelectedByClause } from "../query/clause";
import { decodeCursor, encodeCursor } from "../query/cursor";
import type { EntityKind } from "../store/world-store";
import { assertWireEntity } from "../values/wire-guard";
import { keysFromText } from "../world/keys";
import type { WorldSimulator } from "../world/simulator";

/** Page size when the query gives none (limit 0). */
export const DEFAULT_PAGE_LIMIT = 100;

/**
 * One page of RetrieveEntities / RetrieveEventMessages. Keyset pagination in id order (descending for Backward):
 * stable under concurrent writes, `next_cursor` empty exactly when nothing matching is left. `order_by` is ignored.
 * Throws BadCursorError / UnsupportedClauseError for the server to turn into INVALID_ARGUMENT.
 */
export function retrievePage(world: WorldSimulator, kind: EntityKind, query: Query | undefined): RetrieveEntitiesResponse {
  const clause = query?.clause;
  assertSupportedClause(clause);
  const limit = query?.pagination?.limit !== undefined && query.pagination.limit > 0 ? query.pagination.limit : DEFAULT_PAGE_LIMIT;
  const descending = query?.pagination?.direction === PaginationDirection.BACKWARD;
  let after = decodeCursor(query?.pagination?.cursor ?? "", descending);
  const worldAddresses = (query?.world_addresses ?? []).map(fromBytes);
  if (worldAddresses.length > 0 && !worldAddresses.includes(BigInt(world.worldAddress))) return { next_cursor: "", entities: [] };

  const fromQuery = query?.models ?? [];
  const fromClause = modelsSelectedByClause(clause);
  const selected = fromQuery.length > 0 && fromClause.length > 0 ? fromQuery.filter((m) => fromClause.includes(m)) : fromQuery.length > 0 ? fromQuery : fromClause;
  const mustSelect = fromQuery.length > 0 || fromClause.length > 0;

  const entities: RetrieveEntitiesResponse["entities"] = [];
  let lastServed: string | undefined;
  let hasMore = false;
  const chunk = Math.max(256, Math.min(limit + 1, 5000));
  const listed = idFilterOf(clause);
  scan: for (;;) {
    const rows = world.store.page(kind, after, descending, chunk);
    for (const row of rows) {
      after = row.id;
      if (listed !== undefined && !listed(BigInt(row.id))) continue;
      const snapshot = world.snapshot(kind, row, mustSelect ? selected : undefined);
      if (snapshot === undefined) continue;
      const target = { id: BigInt(row.id), keys: keysFromText(row.keys), modelTags: Object.keys(snapshot.values), values: () => snapshot.values };
      if (!matchesClause(clause, target)) continue;
      if (entities.length === limit) {
        hasMore = true;
        break scan;
      }
      const entity = query?.no_hashed_keys === true ? { ...snapshot.entity, hashed_keys: new Uint8Array(0) } : snapshot.entity;
      assertWireEntity(entity, `${kind === "event" ? "RetrieveEventMessages" : "RetrieveEntities"} page`);
      entities.push(entity);
      lastServed = row.id;
    }
    if (rows.length < chunk) break;
  }
  return { next_cursor: hasMore && lastServed !== undefined ? encodeCursor(lastServed, descending) : "", entities };
}

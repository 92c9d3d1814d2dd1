import type { EntityId } from "../core/entity-id";
import type { MapItem, MapSnapshot, MapTile } from "./map-types";
import type { SqlMapSource } from "./sql-types";

const mergedItems = new WeakMap<MapItem, { readonly values: object | undefined; readonly merged: MapItem }>();
const mergedTiles = new WeakMap<MapTile, { readonly items: readonly MapItem[]; readonly merged: MapTile }>();

/**
 * The map with the SQL source's fields added to each item of the layer its query is named after. Live ECS fields win
 * over SQL ones (a stale row never hides a newer stream update). Merged tiles and items keep their identity while
 * neither side changed, so tile subscribers still re-render only for their own tile.
 */
export function withSqlFields(map: MapSnapshot, sql: SqlMapSource): MapSnapshot {
  const item = (raw: MapItem): MapItem => {
    const values = sql.row(raw.layer, raw.entity as unknown as EntityId)?.values;
    const cached = mergedItems.get(raw);
    if (cached !== undefined && cached.values === values) return cached.merged;
    const merged = values === undefined ? raw : { ...raw, fields: { ...values, ...(raw.fields as object) } };
    mergedItems.set(raw, { values, merged });
    return merged;
  };
  const tile = (raw: MapTile | undefined): MapTile | undefined => {
    if (raw === undefined) return undefined;
    const items = Object.values(raw.layers).flatMap((list) => list.map(item));
    const cached = mergedTiles.get(raw);
    if (cached !== undefined && cached.items.length === items.length && cached.items.every((one, index) => one === items[index])) return cached.merged;
    const layers: Record<string, readonly MapItem[]> = {};
    for (const [layer, list] of Object.entries(raw.layers)) layers[layer] = list.map(item);
    const merged: MapTile = { x: raw.x, y: raw.y, layers };
    mergedTiles.set(raw, { items, merged });
    return merged;
  };
  return {
    version: map.version,
    counts: map.counts,
    tile: (x, y) => tile(map.tile(x, y)),
    item: (layer, entity) => {
      const raw = map.item(layer, entity);
      return raw === undefined ? undefined : item(raw);
    },
    area: (bounds) => map.area(bounds).map((one) => tile(one) as MapTile),
    *tiles() {
      for (const one of map.tiles()) yield tile(one) as MapTile;
    },
    *items(layer) {
      for (const one of map.items(layer)) yield item(one);
    },
  };
}

import type { Entity } from "@dojoengine/recs";
import type { MapItem, MapSnapshot, MapTile } from "./map-types";
import type { EntityIndex } from "./entity-table";
import { TileTable } from "./tile-table";

/**
 * What a version must know to read the past: the values, before the changes that followed it, of every tile and item
 * those changes touched. Linked from the version, never back: an old version nobody holds is garbage, log and all.
 */
export interface UndoLog {
  /** The map was empty before this batch (the first build): nothing to record, every earlier read is "nothing". */
  readonly empty: boolean;
  readonly tiles: TileTable<MapTile>;
  /** Per layer, in declaration order. */
  readonly items: ReadonlyArray<EntityIndex<MapItem | undefined>>;
  readonly next: Version;
}

export interface Version {
  undo: UndoLog | undefined;
}

/** `area()` scans every tile instead of reading cell by cell once the bounds hold this many times more cells than the map has tiles. */
const AREA_SCAN_FACTOR = 4;

/** The snapshot of `version`: the live tables, read through every undo log recorded after `at`. */
export function toSnapshot(at: Version, tiles: TileTable<MapTile>, items: ReadonlyMap<string, EntityIndex<MapItem>>, layerIndex: ReadonlyMap<string, number>, counts: Readonly<Record<string, number>>, version: number): MapSnapshot {
  const tileAt = (x: number, y: number): MapTile | undefined => {
    if (Number.isNaN(x) || Number.isNaN(y)) return undefined;
    // The first log after this version that touched the tile holds its value as of this version.
    for (let v: Version = at; v.undo !== undefined; v = v.undo.next) {
      // Untouched until a version whose map was empty: there was nothing here.
      if (v.undo.empty) return undefined;
      if (v.undo.tiles.has(x, y)) return v.undo.tiles.get(x, y);
    }
    return tiles.get(x, y);
  };
  const itemAt = (layer: string, entity: Entity): MapItem | undefined => {
    const index = layerIndex.get(layer);
    if (index === undefined) return undefined;
    for (let v: Version = at; v.undo !== undefined; v = v.undo.next) {
      if (v.undo.empty) return undefined;
      const undo = v.undo.items[index] as EntityIndex<MapItem | undefined>;
      if (undo.has(entity)) return undo.get(entity);
    }
    return items.get(layer)?.get(entity);
  };
  // Both listings are taken whole when called, so a change made while the caller iterates cannot slip into them.
  const allTiles = (): MapTile[] => {
    const past = new TileTable<MapTile>();
    let reachedEmpty = false;
    for (let v: Version = at; v.undo !== undefined && !reachedEmpty; v = v.undo.next) {
      reachedEmpty = v.undo.empty;
      v.undo.tiles.forEach((tile, x, y) => {
        if (!past.has(x, y)) past.set(x, y, tile);
      });
    }
    const found: MapTile[] = [];
    // Past an empty map, only tiles recorded before it existed; otherwise also every live tile nobody touched since.
    if (!reachedEmpty)
      tiles.forEach((tile, x, y) => {
        if (tile !== undefined && !past.has(x, y)) found.push(tile);
      });
    past.forEach((tile) => {
      if (tile !== undefined) found.push(tile);
    });
    return found;
  };
  const allItems = (layer: string): MapItem[] => {
    const index = layerIndex.get(layer);
    if (index === undefined) return [];
    const past = new Map<Entity, MapItem | undefined>();
    let reachedEmpty = false;
    for (let v: Version = at; v.undo !== undefined && !reachedEmpty; v = v.undo.next) {
      reachedEmpty = v.undo.empty;
      for (const [entity, item] of v.undo.items[index] as EntityIndex<MapItem | undefined>) if (!past.has(entity)) past.set(entity, item);
    }
    const found: MapItem[] = [];
    if (!reachedEmpty) for (const [entity, item] of items.get(layer) ?? []) if (!past.has(entity)) found.push(item);
    for (const item of past.values()) if (item !== undefined) found.push(item);
    return found;
  };
  return {
    version,
    counts,
    tile: tileAt,
    item: itemAt,
    area(bounds) {
      // The integer cells inside the bounds: both ways of reading them below must give the same answer.
      const minX = Math.ceil(bounds.minX);
      const minY = Math.ceil(bounds.minY);
      const maxX = Math.floor(bounds.maxX);
      const maxY = Math.floor(bounds.maxY);
      const cells = (maxX - minX + 1) * (maxY - minY + 1);
      if (!(cells >= 1)) return [];
      // A viewport is read cell by cell; bounds wider than the map has tiles (or unbounded) are answered by a scan.
      if (cells > AREA_SCAN_FACTOR * Math.max(tiles.size, 1) || !Number.isSafeInteger(minX) || !Number.isSafeInteger(maxX) || !Number.isSafeInteger(minY) || !Number.isSafeInteger(maxY)) {
        return allTiles()
          .filter((tile) => Number.isInteger(tile.x) && Number.isInteger(tile.y) && tile.x >= minX && tile.x <= maxX && tile.y >= minY && tile.y <= maxY)
          .sort((a, b) => a.y - b.y || a.x - b.x);
      }
      const found: MapTile[] = [];
      for (let y = minY; y <= maxY; y += 1) {
        for (let x = minX; x <= maxX; x += 1) {
          const tile = tileAt(x, y);
          if (tile !== undefined) found.push(tile);
        }
      }
      return found;
    },
    tiles: () => allTiles().values(),
    items: (layer) => allItems(layer).values(),
  };
}

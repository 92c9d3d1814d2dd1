import type { Entity } from "@dojoengine/recs";
import type { MapItem, MapSnapshot } from "../../src/map/index";
import { ARMY_LAYER, tileKey, type ArmyFields, type RescannedArmy, type RescannedMap } from "../pipelines/map-world";
import type { MapTruth } from "../workload/map";

export interface MapCheck {
  /** Items and tiles compared, each way. */
  readonly items: number;
  readonly tiles: number;
}

/** Stop at this many differences: enough to see the pattern. */
const SHOW = 10;

class Problems {
  readonly found: string[] = [];
  add(problem: string): void {
    if (this.found.length < SHOW) this.found.push(problem);
    else if (this.found.length === SHOW) this.found.push("…");
  }
  throwIfAny(what: string): void {
    if (this.found.length > 0) throw new Error(`${what}:\n  ${this.found.join("\n  ")}`);
  }
}

/** Fail loudly unless a rescan of RECS holds exactly what the planned changes left: RECS itself got every write. */
export function checkRescan(rescan: RescannedMap, truth: MapTruth, ids: readonly string[]): void {
  const problems = new Problems();
  if (rescan.items.size !== truth.aliveCount) problems.add(`RECS holds ${rescan.items.size} armies, the plan left ${truth.aliveCount}`);
  ids.forEach((id, index) => {
    const army = rescan.items.get(id as Entity);
    if (truth.alive[index] !== 1) {
      if (army !== undefined) problems.add(`RECS still holds removed army #${index}`);
      return;
    }
    if (army === undefined || army.x !== truth.x[index] || army.y !== truth.y[index] || army.owner !== truth.owners[truth.owner[index] as number] || army.troops !== truth.troops[index]) {
      problems.add(`RECS holds army #${index} as ${describe(army)}, the plan left it at (${truth.x[index]}, ${truth.y[index]})`);
    }
  });
  problems.throwIfAny("RECS differs from the planned changes");
}

/**
 * Fail loudly unless the snapshot holds exactly what a from-scratch rescan of RECS holds: every item with its tile and
 * fields, every tile with exactly its armies, the counts, and nothing more (walking the snapshot's own iterators).
 */
export function checkProjection(snapshot: MapSnapshot, rescan: RescannedMap): MapCheck {
  const problems = new Problems();
  const count = snapshot.counts[ARMY_LAYER];
  if (count !== rescan.items.size) problems.add(`snapshot.counts.${ARMY_LAYER} is ${count}, the rescan finds ${rescan.items.size}`);
  for (const army of rescan.items.values()) {
    const item = snapshot.item(ARMY_LAYER, army.entity) as MapItem<ArmyFields> | undefined;
    if (item === undefined || item.x !== army.x || item.y !== army.y || item.fields.owner !== army.owner || item.fields.troops !== army.troops) {
      problems.add(`item ${army.entity}: projection ${describe(item === undefined ? undefined : { x: item.x, y: item.y, ...item.fields })}, rescan ${describe(army)}`);
    }
  }
  for (const [key, armies] of rescan.tiles) {
    const first = armies[0] as RescannedArmy;
    const onTile = snapshot.tile(first.x, first.y)?.layers[ARMY_LAYER] ?? [];
    const expected = new Set<string>(armies.map((army) => army.entity));
    if (onTile.length !== expected.size || onTile.some((item) => !expected.has(item.entity) || item.x !== first.x || item.y !== first.y)) {
      problems.add(`tile ${key}: projection has ${onTile.length} armies, the rescan ${expected.size}`);
    }
  }
  let items = 0;
  for (const item of snapshot.items(ARMY_LAYER)) {
    items += 1;
    if (!rescan.items.has(item.entity)) problems.add(`projection keeps item ${item.entity} that RECS no longer holds`);
  }
  if (items !== rescan.items.size) problems.add(`snapshot.items() yields ${items} items, the rescan ${rescan.items.size}`);
  let tiles = 0;
  for (const tile of snapshot.tiles()) {
    tiles += 1;
    if ((tile.layers[ARMY_LAYER] ?? []).length === 0) problems.add(`tile ${tileKey(tile.x, tile.y)} is kept with no army on it`);
    if (!rescan.tiles.has(tileKey(tile.x, tile.y))) problems.add(`projection keeps tile ${tileKey(tile.x, tile.y)} that no army stands on`);
  }
  if (tiles !== rescan.tiles.size) problems.add(`snapshot.tiles() yields ${tiles} tiles, the rescan ${rescan.tiles.size}`);
  problems.throwIfAny("map projection differs from a from-scratch rebuild");
  return { items, tiles };
}

function describe(army: { x: number; y: number; owner: bigint; troops: number } | undefined): string {
  return army === undefined ? "missing" : `(${army.x}, ${army.y}) owner …${army.owner.toString(16).slice(-6)} troops ${army.troops}`;
}

import type { Entity } from "@dojoengine/recs";
import type { MapItem, MapTile } from "./map-types";
import type { TileTable } from "./tile-table";

/** What the warming pass reads of a layer. */
interface WarmedLayer {
  readonly name: string;
  readonly byEntity: { get(entity: Entity): MapItem | undefined };
}

/** Changes warmed and applied together: a chunk's touched memory (about 1 KB per change) stays within the CPU's caches. */
export const WARM_CHUNK = 1024;

/** Smaller batches are applied without warming: the passes would cost more than the few misses they save. */
export const WARM_FROM = 64;

/**
 * Touch, in passes, what applying a chunk of a batch will read: the items before, then their old tiles' slots, the
 * tiles, their layers and lists, and the same for the new positions. Each pass is a short loop of independent loads,
 * so the CPU waits for many cache misses at once; applied one change at a time, each miss would wait for the previous.
 */
export function warm(state: WarmedLayer, entities: readonly Entity[], afters: ReadonlyArray<MapItem | undefined>, from: number, to: number, tiles: TileTable<MapTile>, scratch: WarmScratch): void {
  const n = to - from;
  const { byEntity, name } = state;
  const { xs, ys, slots, befores, found } = scratch;
  for (let i = 0; i < n; i += 1) befores[i] = byEntity.get(entities[from + i] as Entity);
  for (let i = 0; i < n; i += 1) {
    const before = befores[i];
    xs[i] = before === undefined ? Number.NaN : before.x;
    ys[i] = before === undefined ? Number.NaN : before.y;
    const after = afters[from + i];
    xs[n + i] = after === undefined ? Number.NaN : after.x;
    ys[n + i] = after === undefined ? Number.NaN : after.y;
  }
  for (let i = 0; i < 2 * n; i += 1) slots[i] = Number.isNaN(xs[i] as number) || Number.isNaN(ys[i] as number) ? -1 : tiles.find(xs[i] as number, ys[i] as number);
  for (let i = 0; i < 2 * n; i += 1) found[i] = (slots[i] as number) < 0 ? undefined : tiles.valueAt(slots[i] as number);
  for (let i = 0; i < 2 * n; i += 1) found[i] = (found[i] as MapTile | undefined)?.layers;
  for (let i = 0; i < 2 * n; i += 1) found[i] = (found[i] as MapTile["layers"] | undefined)?.[name];
  for (let i = 0; i < 2 * n; i += 1) found[i] = (found[i] as readonly MapItem[] | undefined)?.[0];
  // Let go of what was touched: the scratch lives as long as the projection.
  befores.fill(undefined, 0, n);
  found.fill(undefined, 0, 2 * n);
}

/** The warming pass's arrays, made once per projection. */
export interface WarmScratch {
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly slots: Int32Array;
  readonly befores: Array<MapItem | undefined>;
  readonly found: unknown[];
}

export function createScratch(): WarmScratch {
  return {
    xs: new Float64Array(2 * WARM_CHUNK),
    ys: new Float64Array(2 * WARM_CHUNK),
    slots: new Int32Array(2 * WARM_CHUNK),
    befores: new Array<MapItem | undefined>(WARM_CHUNK).fill(undefined),
    found: new Array<unknown>(2 * WARM_CHUNK).fill(undefined),
  };
}

import { getComponentEntities, getComponentValue, type Component, type ComponentValue, type Entity, type Metadata, type Schema } from "@dojoengine/recs";
import { emptyTrie, trieGet, trieSet, trieValues, type PersistentTrie } from "./persistent-trie";

export interface MapPosition {
  readonly x: number;
  readonly y: number;
}

/** One entity of one layer on the map: where it is and the fields the map keeps. */
export interface MapItem<F = unknown> {
  readonly entity: Entity;
  readonly layer: string;
  readonly x: number;
  readonly y: number;
  readonly fields: F;
}

/** Everything on one tile, per layer. Immutable: a tile that changes is a new object, one that does not keeps its identity. */
export interface MapTile {
  readonly x: number;
  readonly y: number;
  readonly layers: Readonly<Record<string, readonly MapItem[]>>;
}

export interface MapLayer<S extends Schema = Schema, F = unknown> {
  /** The RECS component the layer mirrors. */
  readonly component: Component<S, Metadata, unknown>;
  /** Where the entity stands; `undefined` keeps it off the map. */
  readonly position: (value: ComponentValue<S, unknown>, entity: Entity) => MapPosition | undefined;
  /** The fields the map keeps (e.g. owner, troops). */
  readonly fields: (value: ComponentValue<S, unknown>, entity: Entity) => F;
}

export interface MapProjectionOptions {
  readonly layers: Readonly<Record<string, MapLayer<Schema, unknown>>>;
}

export interface MapBounds {
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

/** One immutable version of the map. Older versions stay valid and share all unchanged parts with newer ones. */
export interface MapSnapshot {
  readonly version: number;
  /** Items per layer. */
  readonly counts: Readonly<Record<string, number>>;
  tile(x: number, y: number): MapTile | undefined;
  item(layer: string, entity: Entity): MapItem | undefined;
  /** Tiles inside the bounds (inclusive), row by row: O(area), whatever the world's size. */
  area(bounds: MapBounds): MapTile[];
  tiles(): IterableIterator<MapTile>;
  items(layer: string): IterableIterator<MapItem>;
}

export interface MapProjection {
  /** Build the indexes from what RECS holds (one pass) and follow every change after it. Idempotent. */
  start(): void;
  /** Stop following RECS. Idempotent. */
  stop(): void;
  getSnapshot(): MapSnapshot;
  /** Called once per batch of changes (a microtask after the first), not once per change. */
  subscribe(listener: () => void): () => void;
  readonly layers: readonly string[];
}

type Bucket<T> = readonly T[];
interface State {
  readonly tiles: PersistentTrie<Bucket<MapTile>>;
  readonly items: Readonly<Record<string, PersistentTrie<Bucket<MapItem>>>>;
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * Map data derived from the ECS, updated in O(1) per change: each RECS update touches the entity's old and new tile,
 * nothing re-scans the world. Indexes are persistent tries keyed by hashes of (x, y) and of the entity id.
 */
export function defineMapProjection(options: MapProjectionOptions): MapProjection {
  const layerNames = Object.keys(options.layers);
  let state: State = { tiles: emptyTrie(), items: Object.fromEntries(layerNames.map((name) => [name, emptyTrie()])), counts: Object.fromEntries(layerNames.map((name) => [name, 0])) };
  let version = 0;
  let snapshot: MapSnapshot = toSnapshot(state, version);
  let owner: object = {};
  let pending = false;
  let subscriptions: Array<{ unsubscribe(): void }> = [];
  const listeners = new Set<() => void>();

  const commit = (): void => {
    pending = false;
    version += 1;
    snapshot = toSnapshot(state, version);
    // A fresh owner: the snapshot just handed out must never be edited in place.
    owner = {};
    for (const listener of [...listeners]) listener();
  };
  const changed = (): void => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => {
      if (pending) commit();
    });
  };

  const place = (layer: string, entity: Entity, value: ComponentValue<Schema, unknown> | undefined): void => {
    const definition = options.layers[layer] as MapLayer<Schema, unknown>;
    const itemKey = hashEntity(entity);
    const before = findItem(state.items[layer] as PersistentTrie<Bucket<MapItem>>, itemKey, entity);
    const position = value === undefined ? undefined : definition.position(value, entity);
    const after: MapItem | undefined = value === undefined || position === undefined ? undefined : { entity, layer, x: position.x, y: position.y, fields: definition.fields(value, entity) };
    if (before === undefined && after === undefined) return;
    let tiles = state.tiles;
    if (before !== undefined && after !== undefined && before.x === after.x && before.y === after.y) {
      // Same tile (an owner or troop change): one edit replaces the item in place.
      tiles = editTile(tiles, after.x, after.y, layer, entity, after, owner);
    } else {
      if (before !== undefined) tiles = editTile(tiles, before.x, before.y, layer, entity, undefined, owner);
      if (after !== undefined) tiles = editTile(tiles, after.x, after.y, layer, entity, after, owner);
    }
    const items = editBucket(state.items[layer] as PersistentTrie<Bucket<MapItem>>, itemKey, (item) => item.entity === entity, after, owner);
    const delta = (after === undefined ? 0 : 1) - (before === undefined ? 0 : 1);
    state = {
      tiles,
      items: { ...state.items, [layer]: items },
      counts: delta === 0 ? state.counts : { ...state.counts, [layer]: (state.counts[layer] ?? 0) + delta },
    };
    changed();
  };

  return {
    layers: layerNames,
    start() {
      if (subscriptions.length > 0) return;
      for (const layer of layerNames) {
        const { component } = options.layers[layer] as MapLayer<Schema, unknown>;
        for (const entity of getComponentEntities(component)) place(layer, entity, getComponentValue(component, entity));
        subscriptions.push(component.update$.subscribe((update) => place(layer, update.entity, update.value[0] as ComponentValue<Schema, unknown> | undefined)));
      }
      // The initial build is visible at once, not a microtask later.
      if (pending) commit();
    },
    stop() {
      for (const subscription of subscriptions) subscription.unsubscribe();
      subscriptions = [];
    },
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function editTile(tiles: PersistentTrie<Bucket<MapTile>>, x: number, y: number, layer: string, entity: Entity, item: MapItem | undefined, owner: object): PersistentTrie<Bucket<MapTile>> {
  const key = hashTile(x, y);
  const current = findTile(tiles, key, x, y);
  const others = (current?.layers[layer] ?? []).filter((existing) => existing.entity !== entity);
  const list = item === undefined ? others : [...others, item];
  const layers: Record<string, readonly MapItem[]> = { ...current?.layers };
  if (list.length === 0) delete layers[layer];
  else layers[layer] = list;
  const tile: MapTile | undefined = Object.keys(layers).length === 0 ? undefined : { x, y, layers };
  return editBucket(tiles, key, (existing) => existing.x === x && existing.y === y, tile, owner);
}

/** Replace the entry matching `same` in a hash bucket (collisions are rare, buckets tiny). */
function editBucket<T>(trie: PersistentTrie<Bucket<T>>, key: number, same: (entry: T) => boolean, entry: T | undefined, owner: object): PersistentTrie<Bucket<T>> {
  const bucket = trieGet(trie, key) ?? [];
  const rest = bucket.filter((existing) => !same(existing));
  const next = entry === undefined ? rest : [...rest, entry];
  return trieSet(trie, key, next.length === 0 ? undefined : next, owner);
}

function findTile(tiles: PersistentTrie<Bucket<MapTile>>, key: number, x: number, y: number): MapTile | undefined {
  return trieGet(tiles, key)?.find((tile) => tile.x === x && tile.y === y);
}

function findItem(items: PersistentTrie<Bucket<MapItem>>, key: number, entity: Entity): MapItem | undefined {
  return trieGet(items, key)?.find((item) => item.entity === entity);
}

function toSnapshot(state: State, version: number): MapSnapshot {
  return {
    version,
    counts: state.counts,
    tile: (x, y) => findTile(state.tiles, hashTile(x, y), x, y),
    item: (layer, entity) => {
      const items = state.items[layer];
      return items === undefined ? undefined : findItem(items, hashEntity(entity), entity);
    },
    area(bounds) {
      const found: MapTile[] = [];
      for (let y = bounds.minY; y <= bounds.maxY; y += 1) {
        for (let x = bounds.minX; x <= bounds.maxX; x += 1) {
          const tile = findTile(state.tiles, hashTile(x, y), x, y);
          if (tile !== undefined) found.push(tile);
        }
      }
      return found;
    },
    *tiles() {
      for (const bucket of trieValues(state.tiles)) yield* bucket;
    },
    *items(layer) {
      const items = state.items[layer];
      if (items !== undefined) for (const bucket of trieValues(items)) yield* bucket;
    },
  };
}

/** Coordinates in Eternum sit around 2^31, so (x, y) cannot be packed into 32 bits: hash them, buckets take collisions. */
export function hashTile(x: number, y: number): number {
  let h = Math.imul(x | 0, 0x9e3779b1) ^ Math.imul((y | 0) ^ 0x85ebca6b, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/** FNV-1a over the id's characters (ids are hex; the last 16 characters carry plenty of entropy). */
export function hashEntity(entity: string): number {
  let h = 0x811c9dc5;
  for (let i = Math.max(0, entity.length - 16); i < entity.length; i += 1) {
    h ^= entity.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

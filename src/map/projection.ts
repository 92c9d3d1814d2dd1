import { getComponentEntities, getComponentValue, type Component, type ComponentValue, type Entity, type Metadata, type Schema } from "@dojoengine/recs";

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

/** One immutable version of the map. Older versions stay valid as long as someone holds them. */
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

/**
 * What a version must know to read the past: the values, before the changes that followed it, of every tile and item
 * those changes touched. Linked from the version, never back: an old version nobody holds is garbage, log and all.
 */
interface UndoLog {
  readonly tiles: Map<string, MapTile | undefined>;
  readonly items: Map<string, Map<Entity, MapItem | undefined>>;
  readonly next: Version;
}

interface Version {
  undo: UndoLog | undefined;
}

/**
 * Map data derived from the ECS, updated in O(1) per change: a change touches the entity's item and its old and new
 * tile in plain Maps, and records the values it replaced in the current undo log; nothing re-scans the world. A
 * snapshot reads the live Maps through the undo logs recorded after it (none, for the newest), so every snapshot
 * handed out stays exactly as it was, and unchanged tiles keep their identity across versions.
 */
export function defineMapProjection(options: MapProjectionOptions): MapProjection {
  const layerNames = Object.keys(options.layers);
  const tiles = new Map<string, MapTile>();
  const items = new Map<string, Map<Entity, MapItem>>(layerNames.map((name) => [name, new Map()]));
  const counts: Record<string, number> = Object.fromEntries(layerNames.map((name) => [name, 0]));
  let head: Version = { undo: undefined };
  let log: UndoLog | undefined;
  let version = 0;
  let snapshot = toSnapshot(head, tiles, items, { ...counts }, version);
  let subscriptions: Array<{ unsubscribe(): void }> = [];
  const listeners = new Set<() => void>();

  const commit = (): void => {
    if (log === undefined) return;
    log = undefined;
    version += 1;
    snapshot = toSnapshot(head, tiles, items, { ...counts }, version);
    for (const listener of [...listeners]) listener();
  };

  /** The log of the batch in progress: opened on its first change, so the snapshot handed out never sees a write. */
  const openLog = (): UndoLog => {
    if (log !== undefined) return log;
    const next: Version = { undo: undefined };
    log = { tiles: new Map(), items: new Map(layerNames.map((name) => [name, new Map()])), next };
    head.undo = log;
    head = next;
    queueMicrotask(commit);
    return log;
  };

  const setTile = (undo: UndoLog, key: string, tile: MapTile | undefined): void => {
    if (!undo.tiles.has(key)) undo.tiles.set(key, tiles.get(key));
    if (tile === undefined) tiles.delete(key);
    else tiles.set(key, tile);
  };

  const editTile = (undo: UndoLog, x: number, y: number, layer: string, entity: Entity, item: MapItem | undefined): void => {
    const key = tileKey(x, y);
    const current = tiles.get(key);
    const list: MapItem[] = [];
    const existing = current?.layers[layer];
    if (existing !== undefined) for (const one of existing) if (one.entity !== entity) list.push(one);
    if (item !== undefined) list.push(item);
    let layers: Record<string, readonly MapItem[]> | undefined;
    if (current !== undefined) for (const name in current.layers) if (name !== layer) (layers ??= {})[name] = current.layers[name] as readonly MapItem[];
    if (list.length > 0) (layers ??= {})[layer] = list;
    setTile(undo, key, layers === undefined ? undefined : { x, y, layers });
  };

  const place = (layer: string, entity: Entity, value: ComponentValue<Schema, unknown> | undefined): void => {
    const definition = options.layers[layer] as MapLayer<Schema, unknown>;
    const byEntity = items.get(layer) as Map<Entity, MapItem>;
    const before = byEntity.get(entity);
    const position = value === undefined ? undefined : definition.position(value, entity);
    const after: MapItem | undefined = value === undefined || position === undefined ? undefined : { entity, layer, x: position.x, y: position.y, fields: definition.fields(value, entity) };
    if (before === undefined && after === undefined) return;
    const undo = openLog();
    const undoItems = undo.items.get(layer) as Map<Entity, MapItem | undefined>;
    if (!undoItems.has(entity)) undoItems.set(entity, before);
    if (after === undefined) byEntity.delete(entity);
    else byEntity.set(entity, after);
    // Same tile (an owner or troop change): one edit replaces the item in place.
    if (before !== undefined && (after === undefined || before.x !== after.x || before.y !== after.y)) editTile(undo, before.x, before.y, layer, entity, undefined);
    if (after !== undefined) editTile(undo, after.x, after.y, layer, entity, after);
    counts[layer] = (counts[layer] ?? 0) + (after === undefined ? 0 : 1) - (before === undefined ? 0 : 1);
  };

  return {
    layers: layerNames,
    start() {
      if (subscriptions.length > 0) return;
      // After a stop, RECS moved on unseen: take everything off the map (through the undo log, so snapshots handed
      // out stay as they were), then rebuild from what RECS holds now.
      for (const layer of layerNames) for (const entity of [...(items.get(layer) as Map<Entity, MapItem>).keys()]) place(layer, entity, undefined);
      for (const layer of layerNames) {
        const { component } = options.layers[layer] as MapLayer<Schema, unknown>;
        for (const entity of getComponentEntities(component)) place(layer, entity, getComponentValue(component, entity));
        subscriptions.push(component.update$.subscribe((update) => place(layer, update.entity, update.value[0] as ComponentValue<Schema, unknown> | undefined)));
      }
      // The initial build is visible at once, not a microtask later.
      commit();
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

function toSnapshot(at: Version, tiles: ReadonlyMap<string, MapTile>, items: ReadonlyMap<string, ReadonlyMap<Entity, MapItem>>, counts: Readonly<Record<string, number>>, version: number): MapSnapshot {
  const tileAt = (key: string): MapTile | undefined => {
    // The first log after this version that touched the key holds its value as of this version.
    for (let v: Version = at; v.undo !== undefined; v = v.undo.next) if (v.undo.tiles.has(key)) return v.undo.tiles.get(key);
    return tiles.get(key);
  };
  const itemAt = (layer: string, entity: Entity): MapItem | undefined => {
    for (let v: Version = at; v.undo !== undefined; v = v.undo.next) {
      const undo = v.undo.items.get(layer);
      if (undo?.has(entity) === true) return undo.get(entity);
    }
    return items.get(layer)?.get(entity);
  };
  function* overlay<K, T>(live: ReadonlyMap<K, T>, logOf: (undo: UndoLog) => ReadonlyMap<K, T | undefined> | undefined): IterableIterator<T> {
    const past = new Map<K, T | undefined>();
    for (let v: Version = at; v.undo !== undefined; v = v.undo.next) for (const [key, value] of logOf(v.undo) ?? []) if (!past.has(key)) past.set(key, value);
    for (const [key, value] of live) if (!past.has(key)) yield value;
    for (const value of past.values()) if (value !== undefined) yield value;
  }
  return {
    version,
    counts,
    tile: (x, y) => tileAt(tileKey(x, y)),
    item: itemAt,
    area(bounds) {
      const found: MapTile[] = [];
      for (let y = bounds.minY; y <= bounds.maxY; y += 1) {
        for (let x = bounds.minX; x <= bounds.maxX; x += 1) {
          const tile = tileAt(tileKey(x, y));
          if (tile !== undefined) found.push(tile);
        }
      }
      return found;
    },
    tiles: () => overlay(tiles, (undo) => undo.tiles),
    items: (layer) => overlay(items.get(layer) ?? new Map<Entity, MapItem>(), (undo) => undo.items.get(layer)),
  };
}

function tileKey(x: number, y: number): string {
  return `${x},${y}`;
}

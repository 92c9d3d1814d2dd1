import type { ComponentValue, Entity, Schema } from "@dojoengine/recs";
import { systemTimers } from "../core/clock";
import { SyncError } from "../core/errors";
import { createLogger } from "../core/log";
import { createListeners } from "../core/util/listeners";
import { createBuild, sameItem, type MapBuild } from "./build";
import { EntityTable, type EntityIndex } from "./entity-table";
import { createLayerReader, type ReadableLayer } from "./layer-read";
import type { MapBuildStatus, MapItem, MapLayer, MapProjection, MapProjectionOptions, MapTile } from "./map-types";
import { runInSlices } from "./slices";
import { TileTable } from "./tile-table";
import { toSnapshot, type UndoLog, type Version } from "./versions";
import { createScratch, warm, WARM_CHUNK, WARM_FROM, type WarmScratch } from "./warm";

export type { MapBounds, MapBuildStatus, MapItem, MapLayer, MapPosition, MapProjection, MapProjectionOptions, MapSnapshot, MapTile } from "./map-types";

/** What the projection needs of one layer, looked up once. */
interface LayerState extends ReadableLayer {
  readonly index: number;
  readonly byEntity: EntityTable<MapItem>;
  /** RECS updates received since the last commit, read at once (RECS hands over the caller's value object, which the caller may reuse), applied by the commit. */
  pendingEntities: Entity[];
  pendingItems: Array<MapItem | undefined>;
}

/**
 * Map data derived from the ECS, updated in O(1) per change: a change touches the entity's item (a `Map` per layer)
 * and its old and new tile (one `TileTable`), and records the values it replaced in the batch's undo log; nothing
 * re-scans the world. RECS updates are queued as they come and applied together when the batch commits (the
 * microtask after the first), after a warming pass, so a batch's cache misses overlap instead of queueing one behind
 * another (at a million entities that halved the cost per change). A snapshot reads the live tables through the undo
 * logs recorded after it (none, for the newest), so every snapshot handed out stays exactly as it was, and unchanged
 * tiles keep their identity across versions.
 *
 * The first build, and the rebuild after each restart, read RECS in time slices (`buildSliceMs`) and publish once,
 * complete: until then the last complete version stays (no half-drawn map), updates that arrive meanwhile are applied
 * to the tables being built (exactly once: the walk leaves an item an update already placed), and `getStatus()` says
 * a build is running and how far it is.
 */
export function defineMapProjection(options: MapProjectionOptions): MapProjection {
  const layerNames = Object.keys(options.layers);
  for (const name of layerNames) {
    // A tile's `layers` is a plain object: a layer named like one of Object.prototype's members would read the
    // inherited member wherever that layer is absent, for us and for every consumer of the tile.
    if (name in Object.prototype) throw new SyncError("SYNC_BAD_VALUE", `Map layer name "${name}" is taken by Object.prototype; choose another name.`);
  }
  const tiles = new TileTable<MapTile>();
  const states: LayerState[] = layerNames.map((name, index) => ({ name, index, definition: options.layers[name] as MapLayer<Schema, unknown>, byEntity: new EntityTable(), unreadable: new Set(), pendingEntities: [], pendingItems: [] }));
  const items = new Map<string, EntityIndex<MapItem>>(states.map((state) => [state.name, state.byEntity]));
  const layerIndex = new Map(layerNames.map((name, index) => [name, index]));
  const counts: Record<string, number> = Object.fromEntries(layerNames.map((name) => [name, 0]));
  let head: Version = { undo: undefined };
  let log: UndoLog | undefined;
  let version = 0;
  let snapshot = toSnapshot(head, tiles, items, layerIndex, { ...counts }, version);
  const reader = createLayerReader(options.onError, createLogger(options.logging));
  const { read } = reader;
  let subscriptions: Array<{ unsubscribe(): void }> = [];
  const listeners = createListeners<[]>();
  const timers = options.timers ?? systemTimers;
  const sliceMs = options.buildSliceMs ?? DEFAULT_SLICE_MS;
  /** The build running, or the one a stop cut short: until one completes, the tables are not a version to publish. */
  let build: MapBuild | undefined;
  let cancelBuild: (() => void) | undefined;
  let status = IDLE;
  const statusListeners = createListeners<[]>();
  const setStatus = (next: MapBuildStatus): void => {
    if (next.building === status.building && next.progress === status.progress) return;
    status = next;
    statusListeners.emit();
  };

  let queued = false;
  let scratch: WarmScratch | undefined;
  /** Changes in the batch being applied. */
  let batchSize = 0;
  const commit = (): void => {
    queued = false;
    for (const state of states) if (state.pendingEntities.length > 0) applyPending(state);
    // During a build its log stays open: the version handed out is the last complete one until the build completes.
    if (log === undefined || build !== undefined) return;
    log = undefined;
    version += 1;
    snapshot = toSnapshot(head, tiles, items, layerIndex, { ...counts }, version);
    // Every listener hears of the batch; one that throws is reported as any uncaught error would be.
    listeners.emit();
  };

  /** The log of the batch in progress: opened on its first change, so the snapshot handed out never sees a write. */
  const openLog = (): UndoLog => {
    if (log !== undefined) return log;
    const next: Version = { undo: undefined };
    const empty = tiles.size === 0 && states.every((state) => state.byEntity.size === 0);
    // Sized for the batch being applied (a change touches at most two tiles), so it does not grow while it fills.
    // Capped: a batch of a million changes would otherwise reserve its worst case up front. A build's log may record
    // every entity: its items are sharded, as the layers' are, so that it never grows all at once.
    log = { empty, tiles: new TileTable(empty ? 0 : Math.min(2 * batchSize, LOG_CAPACITY_CAP)), items: layerNames.map(() => (build === undefined || empty ? new Map() : new EntityTable())), next };
    head.undo = log;
    head = next;
    // No commit to schedule: changes are placed only by a commit or by start(), and both publish the log.
    return log;
  };

  const receive = (state: LayerState, entity: Entity, value: ComponentValue<Schema, unknown> | undefined): void => {
    // The slot is taken before the layer's code runs: a write that code makes to RECS is queued after this one.
    const slot = state.pendingEntities.push(entity) - 1;
    state.pendingItems.push(undefined);
    state.pendingItems[slot] = read(state, entity, value);
    if (!queued) {
      queued = true;
      queueMicrotask(commit);
    }
  };

  const applyPending = (state: LayerState): void => {
    const entities = state.pendingEntities;
    const afters = state.pendingItems;
    state.pendingEntities = [];
    state.pendingItems = [];
    batchSize = entities.length;
    // No code of the layer's runs from here on (it ran in `read`, as each update came): only references move.
    // In chunks, so what a chunk warmed is still in cache when the chunk is applied, however large the batch.
    for (let from = 0; from < entities.length; from += WARM_CHUNK) {
      const to = Math.min(from + WARM_CHUNK, entities.length);
      if (to - from >= WARM_FROM) warm(state, entities, afters, from, to, tiles, (scratch ??= createScratch()));
      for (let index = from; index < to; index += 1) place(state, entities[index] as Entity, afters[index]);
    }
  };

  /**
   * Give the tile at (x, y) a new value: `removed` taken out of the layer, `added` put in. Items are compared by
   * identity, not by entity id: each entity has one item per layer, and an id compare would read every neighbour's
   * id string (a cache miss each at a million entities).
   */
  const editTile = (undo: UndoLog, x: number, y: number, layer: string, removed: MapItem | undefined, added: MapItem | undefined): void => {
    const current = tiles.get(x, y);
    if (!undo.empty) undo.tiles.setIfAbsent(x, y, current);
    let layers: Record<string, readonly MapItem[]> | undefined;
    // Layers in declaration order: every tile object of a projection then has one of a few shapes.
    for (const name of layerNames) {
      const list = name === layer ? edited(current?.layers[name], removed, added) : current?.layers[name];
      if (list !== undefined) (layers ??= {})[name] = list;
    }
    if (layers === undefined) tiles.delete(x, y);
    // `+ 0`: a tile reached through -0 is the tile at 0, and says so.
    else tiles.set(x, y, { x: x + 0, y: y + 0, layers });
  };

  /** Put the entity's item on the layer (`after`, from `read`), or take it off (`undefined`). */
  const place = (state: LayerState, entity: Entity, after: MapItem | undefined): void => {
    const { name: layer, byEntity } = state;
    const before = byEntity.get(entity);
    if (before === undefined && after === undefined) return;
    // A change the layer's fields leave out (a tick, a cooldown), or the same value again: no new tile, no version, no
    // render; the item already there stands for it.
    if (before !== undefined && after !== undefined && sameItem(before, after)) return;
    const undo = openLog();
    const undoItems = undo.items[state.index] as EntityIndex<MapItem | undefined>;
    if (!undo.empty && !undoItems.has(entity)) undoItems.set(entity, before);
    if (after === undefined) byEntity.delete(entity);
    else byEntity.set(entity, after);
    if (before !== undefined && after !== undefined && before.x === after.x && before.y === after.y) {
      // Same tile (an owner or troop change): one edit replaces the item in place.
      editTile(undo, after.x, after.y, layer, before, after);
    } else {
      if (before !== undefined) editTile(undo, before.x, before.y, layer, before, undefined);
      if (after !== undefined) editTile(undo, after.x, after.y, layer, undefined, after);
    }
    counts[layer] = (counts[layer] ?? 0) + (after === undefined ? 0 : 1) - (before === undefined ? 0 : 1);
  };

  return {
    layers: layerNames,
    start() {
      if (subscriptions.length > 0) return;
      batchSize = 0;
      // Updates received before a stop and not applied yet: the rebuild below reads RECS, which holds them and any
      // newer value; applied after it, they would put back stale values.
      for (const state of states) {
        state.pendingEntities = [];
        state.pendingItems = [];
      }
      // Subscribed before reading: a write made while the map reads RECS (a layer's own callback can make one, or the
      // game between two slices) is queued and applied as any other, to the tables being built.
      for (const state of states) subscriptions.push(state.definition.component.update$.subscribe((update) => receive(state, update.entity, update.value[0] as ComponentValue<Schema, unknown> | undefined)));
      // After a stop, RECS moved on unseen: bring every item in line with what RECS holds now. An item that did not
      // change is left as it is, so a stop and start with nothing in between (StrictMode mounts every effect twice)
      // changes no tile and makes no new version.
      const current = createBuild(states, read, place, build);
      build = current;
      // Set before the first slice runs: a layer's code may stop the projection from inside it.
      const signal = { cancelled: false };
      cancelBuild = () => {
        signal.cancelled = true;
      };
      const cancel = runInSlices(current.step, timers, sliceMs, {
        yielded: () => setStatus({ building: true, progress: Math.floor(current.progress() * 100) / 100 }),
        done: () => {
          build = undefined;
          cancelBuild = undefined;
          // A build that fits in one slice is visible at once, not a microtask later.
          commit();
          setStatus(IDLE);
        },
      }, signal);
      if (build === current && !signal.cancelled) cancelBuild = cancel;
    },
    stop() {
      for (const subscription of subscriptions) subscription.unsubscribe();
      subscriptions = [];
      // What the build placed stays in the tables, unpublished: the next start resumes from them.
      cancelBuild?.();
      cancelBuild = undefined;
      setStatus(IDLE);
    },
    get rejected() {
      return reader.rejected;
    },
    getSnapshot: () => snapshot,
    subscribe: (listener) => listeners.add(listener),
    getStatus: () => status,
    subscribeStatus: (listener) => statusListeners.add(listener),
  };
}

/** A layer's list on a tile after one edit, exactly sized; `undefined` when it ends up empty. */
function edited(existing: readonly MapItem[] | undefined, removed: MapItem | undefined, added: MapItem | undefined): readonly MapItem[] | undefined {
  const length = existing?.length ?? 0;
  const at = removed === undefined || existing === undefined ? -1 : existing.indexOf(removed);
  const size = length - (at >= 0 ? 1 : 0) + (added === undefined ? 0 : 1);
  if (size === 0) return undefined;
  const list = new Array<MapItem>(size);
  // An item replaced keeps its place in the list (a game may draw a tile's stack in this order); a new one goes last.
  if (at >= 0 && added !== undefined) {
    for (let index = 0; index < length; index += 1) list[index] = index === at ? added : ((existing as readonly MapItem[])[index] as MapItem);
    return list;
  }
  let next = 0;
  for (let index = 0; index < length; index += 1) if (index !== at) list[next++] = (existing as readonly MapItem[])[index] as MapItem;
  if (added !== undefined) list[next] = added;
  return list;
}

/** The most slots an undo log reserves before it fills. */
const LOG_CAPACITY_CAP = 1 << 16;

/** A build's slice: long enough that yielding costs little, short enough to leave room in a 16 ms frame. */
const DEFAULT_SLICE_MS = 4;

const IDLE: MapBuildStatus = { building: false, progress: 1 };

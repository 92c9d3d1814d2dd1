import type { Component, ComponentValue, Entity, Metadata, Schema } from "@dojoengine/recs";
import type { Timers } from "../core/clock";
import type { SyncError } from "../core/errors";
import type { SyncLogger } from "../core/log";

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
  /** Where the entity stands; `undefined` (or a NaN coordinate) keeps it off the map. */
  readonly position: (value: ComponentValue<S, unknown>, entity: Entity) => MapPosition | undefined;
  /** The fields the map keeps (e.g. owner, troops). */
  readonly fields: (value: ComponentValue<S, unknown>, entity: Entity) => F;
}

export interface MapProjectionOptions {
  readonly layers: Readonly<Record<string, MapLayer<Schema, unknown>>>;
  /**
   * A layer's `position` or `fields` threw, or gave a position that is not two numbers: that entity is kept off the
   * layer until its next change, every other change is applied, and this gets a `SyncError` (`SYNC_BAD_VALUE`).
   */
  readonly onError?: (error: SyncError) => void;
  /** Where to say so (once per layer and message): `true` for the console, a logger, or `false` (the default). */
  readonly logging?: boolean | SyncLogger;
  /**
   * The longest a build (the first one, and the one after each restart) reads RECS before it lets the event loop in, in
   * milliseconds. The map shows the last complete version until the build is done (see `getStatus`).
   * @default 4
   */
  readonly buildSliceMs?: number;
  /**
   * The clock a build's slices are timed with (`monotonic`, else `now`) and how it yields (`defer`, else a zero-delay
   * `setTimeout`); inject fake ones in tests.
   * @default systemTimers (performance.now; setImmediate, or a MessageChannel turn in browsers)
   */
  readonly timers?: Timers;
}

/** Whether the map is being built from RECS, for a game's loading state. */
export interface MapBuildStatus {
  /**
   * A build is running: the snapshot is still the last complete version (empty before the first build), updates that
   * arrive meanwhile are held, and the next version has all of them and the whole build. `false` for a build that
   * fits in one slice: it is done within `start()`.
   */
  readonly building: boolean;
  /** How much of the build is done, 0 to 1, in steps of a hundredth; 1 when not building. */
  readonly progress: number;
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
  /**
   * Tiles at integer coordinates inside the bounds (inclusive), row by row: O(area) for a viewport whatever the
   * world's size, O(tiles) when the bounds hold more cells than the map has tiles (or are not finite). Tiles off the
   * integer grid (x or y fractional) are never in an area; `tiles()` lists them.
   */
  area(bounds: MapBounds): MapTile[];
  tiles(): IterableIterator<MapTile>;
  items(layer: string): IterableIterator<MapItem>;
}

export interface MapProjection {
  /**
   * Build the indexes from what RECS holds (one pass, time-sliced: the first slice runs at once, the rest after a turn
   * of the event loop each) and follow every change after it. Idempotent.
   */
  start(): void;
  /** Stop following RECS and stop a build in progress (no timer is left). Idempotent. */
  stop(): void;
  getSnapshot(): MapSnapshot;
  /** Called once per batch of changes (a microtask after the first), not once per change, and once when a build completes. */
  subscribe(listener: () => void): () => void;
  /** The build's status; same object while it does not change. */
  getStatus(): MapBuildStatus;
  /** Called when `getStatus()` changes: a build started, moved on by a hundredth, completed or stopped. */
  subscribeStatus(listener: () => void): () => void;
  readonly layers: readonly string[];
  /**
   * Values kept off the map because a layer could not read them (see `onError`), since the projection was defined.
   * A restart that finds the same entity still unreadable does not count or report it again.
   */
  readonly rejected: number;
}

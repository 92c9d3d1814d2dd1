import type { Component, ComponentValue, Entity, Metadata, Schema } from "@dojoengine/recs";
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
  /** Build the indexes from what RECS holds (one pass) and follow every change after it. Idempotent. */
  start(): void;
  /** Stop following RECS. Idempotent. */
  stop(): void;
  getSnapshot(): MapSnapshot;
  /** Called once per batch of changes (a microtask after the first), not once per change. */
  subscribe(listener: () => void): () => void;
  readonly layers: readonly string[];
  /**
   * Values kept off the map because a layer could not read them (see `onError`), since the projection was defined.
   * A restart that finds the same entity still unreadable does not count or report it again.
   */
  readonly rejected: number;
}

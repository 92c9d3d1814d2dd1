import type { ComponentValue, Entity, Schema } from "@dojoengine/recs";
import { SyncError } from "../core/errors";
import type { TaggedLogger } from "../core/log";
import type { MapItem, MapLayer } from "./map-types";

/** What reading a RECS value needs of a layer. */
export interface ReadableLayer {
  readonly name: string;
  readonly definition: MapLayer<Schema, unknown>;
  /** Entities whose last value the layer could not read: a rebuild that finds them so again says nothing new. */
  readonly unreadable: Set<Entity>;
}

/** Entities a rebuild already knows to be unreadable (a `Set` will do). */
export interface KnownUnreadable {
  has(entity: Entity): boolean;
}

/** Turns RECS values into a layer's items, and keeps the values a layer could not read off the map, said once. */
export interface LayerReader {
  /**
   * The item a RECS value puts on the layer, or `undefined` for none. A value the layer cannot read is counted and
   * reported, unless this is a rebuild and the entity was unreadable before it (`wasUnreadable`).
   */
  read(layer: ReadableLayer, entity: Entity, value: ComponentValue<Schema, unknown> | undefined, wasUnreadable?: KnownUnreadable): MapItem | undefined;
  /** Values kept off the map since the reader was made. */
  readonly rejected: number;
}

export function createLayerReader(onError: ((error: SyncError) => void) | undefined, logger: TaggedLogger): LayerReader {
  let rejected = 0;
  const read = (layer: ReadableLayer, entity: Entity, value: ComponentValue<Schema, unknown> | undefined, wasUnreadable?: KnownUnreadable): MapItem | undefined => {
    let problem: string;
    let cause: unknown;
    try {
      const position = value === undefined ? undefined : layer.definition.position(value, entity);
      if (position === undefined) return readable(layer, entity, undefined);
      const { x, y } = position;
      if (typeof x === "number" && typeof y === "number") {
        if (Number.isNaN(x) || Number.isNaN(y)) return readable(layer, entity, undefined);
        return readable(layer, entity, { entity, layer: layer.name, x, y, fields: layer.definition.fields(value as ComponentValue<Schema, unknown>, entity) });
      }
      problem = `its position is not two numbers (x: ${typeof x}, y: ${typeof y})`;
    } catch (thrown) {
      problem = `the layer threw: ${thrown instanceof Error ? thrown.message : String(thrown)}`;
      cause = thrown;
    }
    // Asked before the entity is marked: a build's answer also counts what was found unreadable during it.
    const known = wasUnreadable?.has(entity) === true;
    layer.unreadable.add(entity);
    if (known) return undefined;
    rejected += 1;
    const error = new SyncError("SYNC_BAD_VALUE", `Map layer "${layer.name}" could not place entity ${entity}: ${problem}. It stays off the layer until its next change.`, { entityId: entity, cause });
    logger.once("warn", `map:${layer.name}:${cause === undefined ? "position" : "threw"}`, error.message);
    try {
      onError?.(error);
    } catch (thrown) {
      // Thrown into RECS's update stream, it would reach whoever wrote the value, not the map.
      logger.once("error", "map:onError", `onError threw; the map went on: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
    }
    return undefined;
  };
  return {
    read,
    get rejected() {
      return rejected;
    },
  };
}

/** A value the layer could read (`item`, or `undefined` when off the map): the entity is no longer unreadable. */
function readable(layer: ReadableLayer, entity: Entity, item: MapItem | undefined): MapItem | undefined {
  if (layer.unreadable.size > 0) layer.unreadable.delete(entity);
  return item;
}

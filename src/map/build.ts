import { getComponentEntities, getComponentValue, hasComponent, type ComponentValue, type Entity, type Schema } from "@dojoengine/recs";
import { shallowEqual } from "../core/util/shallow-equal";
import type { EntityTable } from "./entity-table";
import type { LayerReader, ReadableLayer } from "./layer-read";
import type { MapItem } from "./map-types";

/** What a build needs of one layer. */
export interface BuiltLayer extends ReadableLayer {
  readonly byEntity: EntityTable<MapItem>;
}

/** One first build or rebuild of every layer from what RECS holds, walked one entity at a time. */
export interface MapBuild {
  /** Read one entity of RECS, or check one item for removal; `false` once every layer is done. */
  step(): boolean;
  /** How much is done, 0 to 1 (an estimate: RECS may change while the build walks it). */
  progress(): number;
  /** Per layer, the entities known unreadable before this build began: a build resumed after a stop keeps them. */
  readonly wasUnreadable: ReadonlyArray<ReadonlySet<Entity>>;
}

const WALK = 0;
const REMOVE = 1;

/**
 * Bring every layer in line with RECS: each entity RECS holds is read and placed unless its item is already the same
 * (a restart with nothing changed makes no new version), then, where the layer held items when the build began,
 * every item whose entity left RECS is taken off. RECS is walked through its live iterator, so an entity written
 * while the build runs is read at its newest value whether the walk reached it yet or not; its update, applied as it
 * comes, places the same item, which the walk then leaves as it is.
 *
 * `interrupted`: the build a stop cut short, whose knowledge of unreadable entities this one keeps (it cleared them
 * when it began), so a restart never reports one again.
 */
export function createBuild<L extends BuiltLayer>(layers: readonly L[], read: LayerReader["read"], place: (layer: L, entity: Entity, after: MapItem | undefined) => void, interrupted: MapBuild | undefined): MapBuild {
  const wasUnreadable = layers.map((layer, index) => {
    const was = new Set(layer.unreadable);
    for (const entity of interrupted?.wasUnreadable[index] ?? []) was.add(entity);
    // Rebuilt like the items: an entity that left RECS while stopped is no longer unreadable.
    layer.unreadable.clear();
    return was;
  });
  // Known to be unreadable: before the build, or by an update or a visit during it (said once, when it was found).
  const known = layers.map((layer, index) => ({ has: (entity: Entity) => (wasUnreadable[index] as Set<Entity>).has(entity) || layer.unreadable.has(entity) }));
  const removals = layers.map((layer) => layer.byEntity.size > 0);
  let total = 0;
  for (const [index, layer] of layers.entries()) total += recsSize(layer) + (removals[index] === true ? layer.byEntity.size : 0);
  let done = 0;
  let at = 0;
  let phase = WALK;
  let entities: Iterator<Entity> | undefined = layers[0] === undefined ? undefined : getComponentEntities(layers[0].definition.component);

  const step = (): boolean => {
    for (;;) {
      const layer = layers[at];
      if (layer === undefined || entities === undefined) return false;
      const next = entities.next();
      if (next.done !== true) {
        done += 1;
        const entity = next.value;
        if (phase === WALK) visit(layer, entity, known[at] as { has(entity: Entity): boolean });
        else if (!hasComponent(layer.definition.component, entity)) place(layer, entity, undefined);
        return true;
      }
      if (phase === WALK && removals[at] === true) {
        phase = REMOVE;
        // Deleting the entry the iterator stands on is safe (shards are Maps): the walk goes on with the next one.
        entities = layer.byEntity.keys();
      } else {
        at += 1;
        phase = WALK;
        const following = layers[at];
        entities = following === undefined ? undefined : getComponentEntities(following.definition.component);
      }
    }
  };

  const visit = (layer: L, entity: Entity, knownUnreadable: { has(entity: Entity): boolean }): void => {
    const after = read(layer, entity, getComponentValue(layer.definition.component, entity) as ComponentValue<Schema, unknown> | undefined, knownUnreadable);
    const before = layer.byEntity.get(entity);
    if (before === undefined || after === undefined || !sameItem(before, after)) place(layer, entity, after);
  };

  return {
    step,
    progress: () => (total === 0 ? 1 : Math.min(1, done / total)),
    wasUnreadable,
  };
}

/** Entities holding the layer's component now: the size of its first column, as RECS's own iterator walks it. */
function recsSize(layer: BuiltLayer): number {
  const columns = Object.values(layer.definition.component.values) as Array<ReadonlyMap<unknown, unknown>>;
  return columns[0]?.size ?? 0;
}

/** Same place, same fields (a layer's `fields` builds a new object per read, so compared one level deep). */
export function sameItem(before: MapItem, after: MapItem): boolean {
  return before.x === after.x && before.y === after.y && shallowEqual(before.fields, after.fields);
}

import { createWorld, defineComponent, getComponentValue, Has, HasValue, removeComponent, runQuery, setComponent, Type as RecsType, type Entity, type World } from "@dojoengine/recs";
import { defineMapProjection, type MapProjection } from "../../src/map/index";
import { waitUntil } from "../measure/wait";
import { freshId, type ArmyValue, type MapChange, type MapWorkload } from "../workload/map";

const ARMY_SCHEMA = { owner: RecsType.BigInt, x: RecsType.Number, y: RecsType.Number, troops: RecsType.Number } as const;

/** An Army-like component, shaped like the one the map tests use. */
export function defineArmy(world: World) {
  return defineComponent(world, ARMY_SCHEMA, { metadata: { namespace: "bench", name: "Army" } });
}

export type ArmyComponent = ReturnType<typeof defineArmy>;

export interface ArmyWorld {
  readonly world: World;
  readonly Army: ArmyComponent;
}

/** The fields the map keeps per army. */
export interface ArmyFields {
  readonly owner: bigint;
  readonly troops: number;
}

export const ARMY_LAYER = "armies";

/** A RECS world holding every entity of the workload at its initial tile. Ids are the workload's own strings. */
export function createArmyWorld(workload: MapWorkload): ArmyWorld {
  const world = createWorld();
  const Army = defineArmy(world);
  workload.ids.forEach((id, entity) => setComponent(Army, id as Entity, workload.initialValue(entity)));
  return { world, Army };
}

/** The projection under test: one layer, positioned by (x, y), keeping owner and troops. */
export function armyProjection(Army: ArmyComponent, define: typeof defineMapProjection = defineMapProjection): MapProjection {
  return define({
    layers: {
      [ARMY_LAYER]: {
        component: Army,
        position: (value) => ({ x: value.x as number, y: value.y as number }),
        fields: (value): ArmyFields => ({ owner: value.owner as bigint, troops: value.troops as number }),
      },
    },
  });
}

/**
 * `start()` the projection and resolve once its snapshot maps `expected` armies: at once for a build done within
 * `start()`, else when the build's last slice publishes it (the projection notifies its listeners then).
 */
export async function buildMap(projection: MapProjection, expected: number): Promise<void> {
  projection.start();
  await waitUntil(() => projection.getSnapshot().counts[ARMY_LAYER] === expected, `the map to hold ${expected} armies`, (listener) => projection.subscribe(listener));
}

/** A change ready to hand to RECS: its own id string, its value object built. */
export interface RecsWrite {
  readonly entity: Entity;
  readonly value: ArmyValue | undefined;
}

/** Build the writes before the clock starts, with fresh id strings, so the clock sees only RECS and what listens to it. */
export function materialise(changes: readonly MapChange[], ids: readonly string[]): RecsWrite[] {
  return changes.map((change) => ({
    entity: freshId(ids[change.entity] as string) as Entity,
    value: change.kind === "set" ? { ...change.value } : undefined,
  }));
}

export function applyWrites(Army: ArmyComponent, writes: readonly RecsWrite[]): void {
  for (const { entity, value } of writes) {
    if (value === undefined) removeComponent(Army, entity);
    else setComponent(Army, entity, value);
  }
}

/** One army as the naive rebuild and the check see it. */
export interface RescannedArmy {
  readonly entity: Entity;
  readonly x: number;
  readonly y: number;
  readonly owner: bigint;
  readonly troops: number;
}

/** The naive map: every army by entity, and the armies on each tile keyed "x,y". */
export interface RescannedMap {
  readonly items: Map<Entity, RescannedArmy>;
  readonly tiles: Map<string, RescannedArmy[]>;
}

export const tileKey = (x: number, y: number): string => `${x},${y}`;

/**
 * The way maps are built today: after a batch, `runQuery([Has(Army)])` and `getComponentValue` for every entity,
 * then group by tile. Also the from-scratch reference the projection is checked against.
 */
export function rescanMap(Army: ArmyComponent): RescannedMap {
  const items = new Map<Entity, RescannedArmy>();
  const tiles = new Map<string, RescannedArmy[]>();
  for (const entity of runQuery([Has(Army)])) {
    const value = getComponentValue(Army, entity);
    if (value === undefined) continue;
    const army: RescannedArmy = { entity, x: value.x, y: value.y, owner: value.owner, troops: value.troops };
    items.set(entity, army);
    const key = tileKey(army.x, army.y);
    const list = tiles.get(key);
    if (list === undefined) tiles.set(key, [army]);
    else list.push(army);
  }
  return { items, tiles };
}

/** One `runQuery([HasValue(Army, { owner })])`: "my armies", the query FACTS measured at ≈170 ms for 100k. */
export function armiesOf(Army: ArmyComponent, owner: bigint): number {
  return runQuery([HasValue(Army, { owner })]).size;
}

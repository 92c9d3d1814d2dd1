import { createWorld, defineComponent, getComponentValue, Has, removeComponent, runQuery, setComponent, Type as RecsType, type Entity } from "@dojoengine/recs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defineMapProjection, type MapLayer, type MapSnapshot } from "../../src/map/projection";

const e = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Entity;
const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve));

function twoComponents() {
  const world = createWorld();
  const Army = defineComponent(world, { x: RecsType.Number, y: RecsType.Number, t: RecsType.Number }, { metadata: { namespace: "t", name: "Army" } });
  const Flag = defineComponent(world, { x: RecsType.Number, y: RecsType.Number, t: RecsType.Number }, { metadata: { namespace: "t", name: "Flag" } });
  return { Army, Flag };
}

/** Every item of every tile, as "layer|entity|x,y|fields", -0 written as 0. */
function rows(map: MapSnapshot): string[] {
  const found: string[] = [];
  for (const tile of map.tiles()) for (const [layer, list] of Object.entries(tile.layers)) for (const item of list) found.push(`${layer}|${item.entity}|${item.x + 0},${item.y + 0}|${String(item.fields)}`);
  return found.sort();
}
function recsRows(layers: Record<string, ReturnType<typeof twoComponents>["Army"]>): string[] {
  const found: string[] = [];
  for (const [layer, component] of Object.entries(layers))
    for (const entity of runQuery([Has(component)])) {
      const v = getComponentValue(component, entity)!;
      found.push(`${layer}|${entity}|${v.x + 0},${v.y + 0}|${v.t}`);
    }
  return found.sort();
}

describe("map write ordering", () => {
  // Bug: RECS emits the object the caller passed to setComponent; the projection now reads it a microtask later.
  it("should map what RECS holds when a caller reuses one value object for several setComponent calls", async () => {
    const { Army } = twoComponents();
    const projection = defineMapProjection({ layers: { armies: { component: Army, position: (v) => ({ x: v.x, y: v.y }), fields: (v) => v.t } } });
    projection.start();
    const scratch = { x: 0, y: 0, t: 0 };
    for (let i = 0; i < 3; i += 1) {
      scratch.x = i;
      setComponent(Army, e(i), scratch);
    }
    // RECS copied each field: it holds x = 0, 1, 2.
    expect([0, 1, 2].map((i) => getComponentValue(Army, e(i))?.x)).toEqual([0, 1, 2]);
    await flush();
    expect([0, 1, 2].map((i) => projection.getSnapshot().item("armies", e(i))?.x)).toEqual([0, 1, 2]);
    projection.stop();
  });

  // Bug (also before this change): start() subscribes to a layer's component only after reading all of it.
  it("should not lose a write a layer's own callback makes to its component during start()", async () => {
    const { Army } = twoComponents();
    const clamp: MapLayer["position"] = (v, entity) => {
      if ((v.x as number) > 10) setComponent(Army, entity, { x: 10, y: v.y as number, t: v.t as number });
      return { x: v.x as number, y: v.y as number };
    };
    const projection = defineMapProjection({ layers: { armies: { component: Army, position: clamp, fields: () => null } } });
    setComponent(Army, e(1), { x: 50, y: 0, t: 1 });
    projection.start();
    await flush();
    await flush();
    expect(getComponentValue(Army, e(1))?.x).toBe(10);
    expect(projection.getSnapshot().item("armies", e(1))?.x).toBe(10);
    projection.stop();
  });

  // Passes: writes to RECS from layer callbacks and listeners during a commit, across layers, converge to RECS.
  it("should converge to RECS when layer callbacks and listeners write to RECS during a commit (property)", async () => {
    const write = fc.tuple(fc.nat(30), fc.integer({ min: -2, max: 2 }), fc.integer({ min: -2, max: 2 }), fc.nat(3));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(write, { maxLength: 120, size: "max" }), { maxLength: 6, size: "max" }), async (batches) => {
        const { Army, Flag } = twoComponents();
        const projection = defineMapProjection({
          layers: {
            armies: {
              component: Army,
              position: (v, entity) => {
                if (v.x > 1) setComponent(Army, entity, { x: 1, y: v.y as number, t: v.t as number });
                return { x: v.x, y: v.y };
              },
              fields: (v) => v.t,
            },
            flags: {
              component: Flag,
              position: (v, entity) => {
                if (v.t === 1) removeComponent(Army, entity);
                if (v.t === 2) setComponent(Army, entity, { x: v.y, y: v.x, t: 0 });
                return { x: v.x, y: v.y };
              },
              fields: (v) => v.t,
            },
          },
        });
        let commits = 0;
        projection.subscribe(() => {
          commits += 1;
          if (commits % 3 === 0) for (const entity of runQuery([Has(Flag)])) {
            const v = getComponentValue(Flag, entity);
            if (v?.t === 3) setComponent(Flag, entity, { ...v, x: -1 });
          }
        });
        projection.start();
        for (const batch of batches) {
          for (const [id, x, y, t] of batch) {
            if (t === 0 && x === 0) removeComponent(Army, e(id));
            else if (id % 2 === 0) setComponent(Army, e(id), { x, y, t });
            else setComponent(Flag, e(id), { x, y, t });
          }
          await flush();
        }
        for (let i = 0; i < 10; i += 1) await flush();
        expect(rows(projection.getSnapshot())).toEqual(recsRows({ armies: Army, flags: Flag }));
        projection.stop();
      }),
      { numRuns: 200 },
    );
  });
});

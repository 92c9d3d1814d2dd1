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

describe("map projection review", () => {
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

  // Bug: read() calls onError inside applyPending after the layer's queue was cleared; a throw drops the batch.
  it("should apply every other change of the batch when onError throws, and keep the throw away from the writer", async () => {
    const { Army, Flag } = twoComponents();
    const logged: unknown[][] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (...args: unknown[]) => logged.push(args) };
    const projection = defineMapProjection({
      onError: (error) => {
        throw error;
      },
      logging: logger,
      layers: {
        armies: { component: Army, position: (v) => (v.t === 13 ? (null as never) : { x: v.x, y: v.y }), fields: (v) => v.t },
        flags: { component: Flag, position: (v) => ({ x: v.x, y: v.y }), fields: (v) => v.t },
      },
    });
    projection.start();
    expect(() => {
      setComponent(Army, e(1), { x: 1, y: 0, t: 13 });
      setComponent(Army, e(4), { x: 4, y: 0, t: 13 });
    }).not.toThrow();
    setComponent(Army, e(2), { x: 2, y: 0, t: 1 });
    setComponent(Flag, e(3), { x: 3, y: 0, t: 1 });
    await flush();
    const map = projection.getSnapshot();
    expect(map.item("armies", e(1))).toBeUndefined();
    expect(map.item("armies", e(2))).toMatchObject({ x: 2, y: 0 });
    expect(map.item("flags", e(3))).toMatchObject({ x: 3, y: 0 });
    expect(projection.rejected).toBe(2);
    // Said once, however many times it threw.
    expect(logged).toHaveLength(1);
    expect(String(logged[0]?.[0])).toContain("onError threw");
    projection.stop();
  });

  // Was a bug: a layer named like an Object.prototype member read the inherited member on every tile without it.
  it("should refuse a layer named like an Object.prototype member, with a SyncError", () => {
    const { Army } = twoComponents();
    const layer: MapLayer = { component: Army, position: (v) => ({ x: v.x as number, y: v.y as number }), fields: () => null };
    for (const name of ["constructor", "toString", "hasOwnProperty", "__proto__"]) {
      const layers = JSON.parse(`{"armies": null, "${name}": null}`) as Record<string, MapLayer>;
      layers.armies = layer;
      layers[name] = layer;
      expect(Object.keys(layers)).toContain(name);
      expect(() => defineMapProjection({ layers })).toThrow(expect.objectContaining({ code: "SYNC_BAD_VALUE", message: expect.stringContaining(`"${name}"`) }));
    }
    expect(() => defineMapProjection({ layers: { armies: layer } })).not.toThrow();
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

  // Passes: -0, ±Infinity and huge coordinates, two layers on one component, batches of 63/64/65 and more, old
  // snapshots kept across those batches and a stop/start.
  it("should keep special coordinates and old snapshots exact through batches around the warm threshold", async () => {
    const { Army } = twoComponents();
    const projection = defineMapProjection({
      layers: {
        armies: { component: Army, position: (v) => ({ x: v.x, y: v.y }), fields: (v) => v.t },
        mirror: { component: Army, position: (v) => (v.t % 2 === 0 ? undefined : { x: v.y, y: v.x }), fields: (v) => v.t },
      },
    });
    const expected = (): string[] => {
      const found = recsRows({ armies: Army });
      for (const entity of runQuery([Has(Army)])) {
        const v = getComponentValue(Army, entity)!;
        if (v.t % 2 === 1) found.push(`mirror|${entity}|${v.y + 0},${v.x + 0}|${v.t}`);
      }
      return found.sort();
    };
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const special = [0, -0, 2 ** 31, 2 ** 32, -(2 ** 31), 2 ** 53, 1e308, Infinity, -Infinity, 0.25];
    const coordinate = () => (next(3) === 0 ? special[next(special.length)]! : next(20) - 10);
    for (let i = 0; i < 500; i += 1) setComponent(Army, e(i), { x: coordinate(), y: coordinate(), t: next(4) });
    projection.start();
    const kept: Array<[MapSnapshot, string[]]> = [];
    for (const [round, size] of [1, 63, 64, 65, 2000, 300].entries()) {
      kept.push([projection.getSnapshot(), rows(projection.getSnapshot())]);
      for (let j = 0; j < size; j += 1) {
        const id = e(next(1000));
        if (next(8) === 0) removeComponent(Army, id);
        else setComponent(Army, id, { x: coordinate(), y: coordinate(), t: next(4) });
      }
      if (round === 4) {
        projection.stop();
        setComponent(Army, e(1), { x: -0, y: Infinity, t: 1 });
        projection.start();
      }
      await flush();
      expect(rows(projection.getSnapshot())).toEqual(expected());
    }
    expect(kept[0]?.[1].length).toBeGreaterThan(500);
    for (const [snapshot, before] of kept) expect(rows(snapshot)).toEqual(before);
    projection.stop();
  });
});

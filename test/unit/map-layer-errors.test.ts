import { createWorld, defineComponent, setComponent, Type as RecsType, type Entity } from "@dojoengine/recs";
import { describe, expect, it } from "vitest";
import { defineMapProjection, type MapLayer } from "../../src/map/projection";

const e = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Entity;
const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve));

function twoComponents() {
  const world = createWorld();
  const Army = defineComponent(world, { x: RecsType.Number, y: RecsType.Number, t: RecsType.Number }, { metadata: { namespace: "t", name: "Army" } });
  const Flag = defineComponent(world, { x: RecsType.Number, y: RecsType.Number, t: RecsType.Number }, { metadata: { namespace: "t", name: "Flag" } });
  return { Army, Flag };
}

describe("map layer errors", () => {
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
});

import { createWorld, defineComponent, setComponent, Type as RecsType, updateComponent, type Entity } from "@dojoengine/recs";
import { describe, expect, it } from "vitest";
import { defineMapProjection } from "../../src/map/projection";

const e = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Entity;

// Bug: a restart keeps an item whose `sameItem` (src/map/build.ts:98-100) finds it unchanged through shallowEqual
// (src/core/util/shallow-equal.ts), which calls any two objects without own enumerable keys equal: a layer whose
// `fields` is a Date (or a Map, a Set, a class instance with private state) keeps the value it had before the stop,
// although RECS moved on while the projection was stopped. The live path replaces it (items are compared by identity).
describe("map rebuild after a restart", () => {
  it("should take a changed Date the layer's fields give, however it compares shallowly", () => {
    const world = createWorld();
    const Army = defineComponent(world, { x: RecsType.Number, y: RecsType.Number, arrivesAt: RecsType.Number }, { metadata: { namespace: "t", name: "Army" } });
    const projection = defineMapProjection({
      layers: { armies: { component: Army, position: (v) => ({ x: v.x as number, y: v.y as number }), fields: (v) => new Date((v.arrivesAt as number) * 1000) } },
    });
    setComponent(Army, e(1), { x: 0, y: 0, arrivesAt: 100 });
    projection.start();
    expect((projection.getSnapshot().item("armies", e(1))?.fields as Date).getTime()).toBe(100_000);
    projection.stop();
    updateComponent(Army, e(1), { arrivesAt: 200 });
    projection.start();
    expect((projection.getSnapshot().item("armies", e(1))?.fields as Date).getTime()).toBe(200_000);
    projection.stop();
  });

  it("should take a changed Map the layer's fields give", () => {
    const world = createWorld();
    const Army = defineComponent(world, { x: RecsType.Number, y: RecsType.Number, troops: RecsType.Number }, { metadata: { namespace: "t", name: "Army" } });
    const projection = defineMapProjection({
      layers: { armies: { component: Army, position: (v) => ({ x: v.x as number, y: v.y as number }), fields: (v) => new Map([["troops", v.troops as number]]) } },
    });
    setComponent(Army, e(1), { x: 0, y: 0, troops: 5 });
    projection.start();
    projection.stop();
    updateComponent(Army, e(1), { troops: 50 });
    projection.start();
    expect((projection.getSnapshot().item("armies", e(1))?.fields as Map<string, number>).get("troops")).toBe(50);
    projection.stop();
  });
});

import { createWorld, defineComponent, setComponent, Type as RecsType, updateComponent, type Entity } from "@dojoengine/recs";
import { describe, expect, it } from "vitest";
import { defineMapProjection } from "../../src/map/projection";

const e = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Entity;
const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve));

function setup() {
  const world = createWorld();
  const Army = defineComponent(world, { owner: RecsType.BigInt, x: RecsType.Number, y: RecsType.Number, troops: RecsType.Number }, { metadata: { namespace: "t", name: "Army" } });
  const projection = defineMapProjection({
    layers: { armies: { component: Army, position: (v) => ({ x: v.x as number, y: v.y as number }), fields: (v) => ({ owner: v.owner, troops: v.troops }) } },
  });
  return { Army, projection };
}

// Bug: a change that keeps an entity on its tile (owner, troops) is applied by editTile(…, before, after), and
// `edited()` (src/map/projection.ts:224-235) drops `before` and appends `after` at the END of the list, although the
// comment at projection.ts:160 says the item is "replaced in place". Every troop change on a shared tile reshuffles
// the stack: a game drawing a tile's armies in list order sees them swap places (z-order, "top unit" flicker).
describe("map tile item order", () => {
  it("should keep an item's place on its tile when only its fields change", async () => {
    const { Army, projection } = setup();
    projection.start();
    setComponent(Army, e(1), { owner: 1n, x: 0, y: 0, troops: 10 });
    setComponent(Army, e(2), { owner: 2n, x: 0, y: 0, troops: 20 });
    setComponent(Army, e(3), { owner: 3n, x: 0, y: 0, troops: 30 });
    await flush();
    expect(projection.getSnapshot().tile(0, 0)?.layers.armies?.map((item) => item.entity)).toEqual([e(1), e(2), e(3)]);

    updateComponent(Army, e(1), { troops: 9 });
    await flush();
    const tile = projection.getSnapshot().tile(0, 0);
    expect(tile?.layers.armies?.map((item) => (item.fields as { troops: number }).troops)).toEqual([9, 20, 30]);
    expect(tile?.layers.armies?.map((item) => item.entity)).toEqual([e(1), e(2), e(3)]);
    projection.stop();
  });
});

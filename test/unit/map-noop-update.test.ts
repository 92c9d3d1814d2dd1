import { createWorld, defineComponent, setComponent, Type as RecsType, updateComponent, type Entity } from "@dojoengine/recs";
import { describe, expect, it } from "vitest";
import { defineMapProjection } from "../../src/map/projection";

const e = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Entity;
const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve));

function setup() {
  const world = createWorld();
  // `tick` is a member the map does not keep (a last-updated counter, a cooldown…): the layer's fields leave it out.
  const Army = defineComponent(world, { owner: RecsType.BigInt, x: RecsType.Number, y: RecsType.Number, tick: RecsType.Number }, { metadata: { namespace: "t", name: "Army" } });
  const projection = defineMapProjection({
    layers: { armies: { component: Army, position: (v) => ({ x: v.x as number, y: v.y as number }), fields: (v) => ({ owner: v.owner }) } },
  });
  return { Army, projection };
}

// Bug: `place` (src/map/projection.ts:150-168) compares the old and new item by identity only; `read` makes a new item
// for every RECS update, so an update that changes nothing the map keeps (same x, y, shallow-equal fields: a member
// the layer ignores, or Torii re-sending the same value) still builds a new tile object, publishes a new version and
// notifies every subscriber: useMapTile for that tile re-renders although "its tile" did not change. The rebuild
// already skips such items (build.ts `sameItem`); the incremental path does not.
describe("map updates that change nothing the map keeps", () => {
  it("should keep the tile's identity and publish no version for a change to a member the layer ignores", async () => {
    const { Army, projection } = setup();
    projection.start();
    setComponent(Army, e(1), { owner: 1n, x: 2, y: 3, tick: 0 });
    await flush();
    const before = projection.getSnapshot();
    let notified = 0;
    projection.subscribe(() => {
      notified += 1;
    });
    updateComponent(Army, e(1), { tick: 1 });
    await flush();
    expect(projection.getSnapshot().tile(2, 3)).toBe(before.tile(2, 3));
    expect(projection.getSnapshot().version).toBe(before.version);
    expect(notified).toBe(0);
    projection.stop();
  });

  it("should keep the tile's identity when the same value is written again", async () => {
    const { Army, projection } = setup();
    projection.start();
    setComponent(Army, e(1), { owner: 1n, x: 2, y: 3, tick: 0 });
    await flush();
    const tile = projection.getSnapshot().tile(2, 3);
    setComponent(Army, e(1), { owner: 1n, x: 2, y: 3, tick: 0 });
    await flush();
    expect(projection.getSnapshot().tile(2, 3)).toBe(tile);
    projection.stop();
  });
});

import { createWorld, defineComponent, removeComponent, setComponent, Type as RecsType, type Entity } from "@dojoengine/recs";
import { describe, expect, it } from "vitest";
import type { SyncError } from "../../src/core/errors";
import { defineMapProjection } from "../../src/map/projection";

const e = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Entity;

function army() {
  const world = createWorld();
  return defineComponent(world, { x: RecsType.Number, y: RecsType.Number, t: RecsType.Number }, { metadata: { namespace: "t", name: "Army" } });
}

describe("map projection restart", () => {
  it("should take off the map what RECS removed while the projection was stopped", () => {
    const world = createWorld();
    const Army = defineComponent(world, { x: RecsType.Number, y: RecsType.Number }, { metadata: { namespace: "t", name: "Army" } });
    const map = defineMapProjection({ layers: { armies: { component: Army, position: (v) => ({ x: v.x as number, y: v.y as number }), fields: () => ({}) } } });
    setComponent(Army, e(1), { x: 3, y: 4 });
    map.start();
    const before = map.getSnapshot();
    map.stop();
    removeComponent(Army, e(1));
    map.start();
    expect(map.getSnapshot().tile(3, 4)).toBeUndefined();
    expect(map.getSnapshot().counts.armies).toBe(0);
    expect(before.tile(3, 4)?.layers.armies).toHaveLength(1);
    map.stop();
  });

  // Bug: start() after stop() re-reads every entity through read(), which counts and reports again a value that was
  // already rejected and never changed (SyncProvider under StrictMode does start, stop, start on every mount).
  it("should not count or report again, on a restart, a RECS value it already rejected", () => {
    const Army = army();
    const errors: SyncError[] = [];
    const projection = defineMapProjection({
      onError: (error) => errors.push(error),
      layers: { armies: { component: Army, position: (v) => (v.t === 13 ? ({ x: "bad", y: 0 } as never) : { x: v.x, y: v.y }), fields: (v) => v.t } },
    });
    setComponent(Army, e(1), { x: 0, y: 0, t: 13 });
    projection.start();
    expect(projection.rejected).toBe(1);
    projection.stop();
    projection.start();
    expect(projection.rejected).toBe(1);
    expect(errors).toHaveLength(1);
    projection.stop();
  });
});

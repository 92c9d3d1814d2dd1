import { createWorld, defineComponent, setComponent, Type as RecsType, type Entity } from "@dojoengine/recs";
import { describe, expect, it } from "vitest";
import type { SyncError } from "../../src/core/errors";
import { defineMapProjection, type MapSnapshot } from "../../src/map/projection";

const e = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Entity;
const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve));
const at = (tiles: ReturnType<MapSnapshot["area"]>) => tiles.map((tile) => `${tile.x},${tile.y}`);

function army() {
  const world = createWorld();
  return defineComponent(world, { x: RecsType.Number, y: RecsType.Number, t: RecsType.Number }, { metadata: { namespace: "t", name: "Army" } });
}

describe("map projection review 2", () => {
  // Bug: area() picks cell-by-cell or a full scan from the LIVE map's tile count. Cell by cell only visits integer
  // cells; the scan keeps any tile inside the bounds, off-grid ones too (e.g. a hex layer with x + 0.5 on odd rows).
  // So one snapshot answers the same bounds differently once unrelated tiles are added to the map.
  it("should answer area() of a snapshot the same way however many tiles the map gains later", async () => {
    const Army = army();
    const projection = defineMapProjection({ layers: { armies: { component: Army, position: (v) => ({ x: v.x, y: v.y }), fields: (v) => v.t } } });
    projection.start();
    setComponent(Army, e(1), { x: 0.5, y: 0, t: 1 });
    setComponent(Army, e(2), { x: 1, y: 0, t: 1 });
    await flush();
    const old = projection.getSnapshot();
    const bounds = { minX: 0, minY: 0, maxX: 9, maxY: 0 };
    const before = at(old.area(bounds));
    // Far away from the bounds: nothing the old snapshot holds changes.
    for (let i = 0; i < 10; i += 1) setComponent(Army, e(100 + i), { x: 100 + i, y: 100, t: 1 });
    await flush();
    expect(at(old.area(bounds))).toEqual(before);
    projection.stop();
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

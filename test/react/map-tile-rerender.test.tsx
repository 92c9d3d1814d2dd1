import { createWorld, defineComponent, setComponent, Type as RecsType, updateComponent, type Entity } from "@dojoengine/recs";
import { act, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { SyncContext } from "../../src/hooks/sync-context";
import { useMapTile } from "../../src/hooks/useMapData";
import { defineMapProjection } from "../../src/map/projection";
import { createIdleStore } from "../../src/store/sync-view";

const e = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Entity;

// Bug (README: useMapTile "re-renders only when that tile changes"): an update to a member the layer's `fields` leave
// out (here `tick`) builds a new tile object with the same content (src/map/projection.ts `place` compares items by
// identity), so every useMapTile on that tile re-renders for a change the map does not keep.
describe("useMapTile and changes the map does not keep", () => {
  it("should not re-render useMapTile when only a member the layer ignores changed", async () => {
    const world = createWorld();
    const Army = defineComponent(world, { owner: RecsType.BigInt, x: RecsType.Number, y: RecsType.Number, tick: RecsType.Number }, { metadata: { namespace: "t", name: "Army" } });
    const map = defineMapProjection({
      layers: { armies: { component: Army, position: (v) => ({ x: v.x as number, y: v.y as number }), fields: (v) => ({ owner: v.owner }) } },
    });
    map.start();
    const value = { store: createIdleStore(), pipeline: undefined, reload: () => undefined, map };
    let renders = 0;
    function Tile() {
      const tile = useMapTile(0, 0);
      renders += 1;
      return <span data-testid="tile">{tile?.layers.armies?.length ?? 0}</span>;
    }
    setComponent(Army, e(1), { owner: 1n, x: 0, y: 0, tick: 0 });
    await Promise.resolve();
    render(
      <SyncContext.Provider value={value}>
        <Tile />
      </SyncContext.Provider>,
    );
    expect(screen.getByTestId("tile").textContent).toBe("1");
    const before = renders;
    await act(async () => {
      for (let tick = 1; tick <= 5; tick += 1) {
        updateComponent(Army, e(1), { tick });
        await Promise.resolve();
      }
    });
    expect(renders).toBe(before);
    map.stop();
  });
});

import { setComponent, updateComponent } from "@dojoengine/recs";
import { act, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { useMapArea, useMapData, useMapTile } from "../../src/hooks/useMapData";
import { SyncContext } from "../../src/hooks/sync-context";
import { createIdleStore } from "../../src/store/sync-view";
import { entityOf, mapHooksRig } from "../support/map-hooks-rig";

const e = entityOf;
const setup = mapHooksRig;

const renders: Record<string, number> = {};
function Tile({ x, y }: { x: number; y: number }) {
  const tile = useMapTile(x, y);
  const key = `${x},${y}`;
  renders[key] = (renders[key] ?? 0) + 1;
  return <span data-testid={key}>{tile?.layers.armies?.length ?? 0}</span>;
}

describe("map hooks", () => {
  it("should not re-render useMapTile for an update to another tile", async () => {
    const { Army, wrap } = setup();
    setComponent(Army, e(1), { owner: 1n, x: 0, y: 0 });
    await Promise.resolve();
    render(wrap(<><Tile x={0} y={0} /><Tile x={5} y={5} /></>));
    expect(screen.getByTestId("0,0").textContent).toBe("1");
    const base00 = renders["0,0"] ?? 0;
    const base55 = renders["5,5"] ?? 0;
    await act(async () => {
      for (let i = 0; i < 100; i += 1) setComponent(Army, e(100 + i), { owner: 2n, x: 10 + i, y: 1 });
      await Promise.resolve();
    });
    expect(renders["0,0"]).toBe(base00);
    expect(renders["5,5"]).toBe(base55);
    // A move onto (5,5) re-renders that tile once, and (0,0) once as the army leaves it.
    await act(async () => {
      updateComponent(Army, e(1), { x: 5, y: 5 });
      await Promise.resolve();
    });
    expect(screen.getByTestId("5,5").textContent).toBe("1");
    expect(screen.getByTestId("0,0").textContent).toBe("0");
    expect(renders["5,5"]).toBe(base55 + 1);
    expect(renders["0,0"]).toBe(base00 + 1);
  });

  it("should give useMapData selections and useMapArea viewports", async () => {
    const { Army, wrap } = setup();
    let areaRenders = 0;
    function Counts() {
      const armies = useMapData((m) => m.counts.armies);
      return <span data-testid="count">{armies}</span>;
    }
    function Viewport() {
      const tiles = useMapArea({ minX: 0, minY: 0, maxX: 2, maxY: 2 });
      areaRenders += 1;
      return <span data-testid="area">{tiles.length}</span>;
    }
    render(wrap(<><Counts /><Viewport /></>));
    await act(async () => {
      setComponent(Army, e(1), { owner: 1n, x: 1, y: 1 });
      setComponent(Army, e(2), { owner: 1n, x: 2, y: 2 });
      await Promise.resolve();
    });
    expect(screen.getByTestId("count").textContent).toBe("2");
    expect(screen.getByTestId("area").textContent).toBe("2");
    const before = areaRenders;
    await act(async () => {
      setComponent(Army, e(3), { owner: 1n, x: 50, y: 50 });
      await Promise.resolve();
    });
    expect(screen.getByTestId("count").textContent).toBe("3");
    expect(areaRenders).toBe(before);
  });

  it("should tell what is missing when no projection was given", () => {
    function Lonely() {
      useMapTile(0, 0);
      return null;
    }
    const value = { store: createIdleStore(), pipeline: undefined, reload: () => undefined, map: undefined };
    expect(() => render(<SyncContext.Provider value={value}><Lonely /></SyncContext.Provider>)).toThrow(/useMapTile needs a map projection/);
  });
});

import { removeComponent, setComponent, updateComponent } from "@dojoengine/recs";
import { act, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { useMapArea, useMapData, useMapTile } from "../../src/hooks/useMapData";
import { entityOf, mapHooksRig } from "../support/map-hooks-rig";

const e = entityOf;
const setup = mapHooksRig;

// The hooks under moves, bounds changes and unmounts.
describe("map hooks: moves, bounds and unmounts", () => {
  it("should follow useMapTile's x, y when they change between renders", async () => {
    const { Army, wrap } = setup();
    setComponent(Army, e(1), { owner: 1n, x: 0, y: 0 });
    setComponent(Army, e(2), { owner: 2n, x: 4, y: -4 });
    await Promise.resolve();
    function Tile({ x, y }: { x: number; y: number }) {
      const tile = useMapTile(x, y);
      return <span data-testid="t">{String(tile?.layers.armies?.[0]?.fields && (tile.layers.armies[0].fields as { owner: bigint }).owner)}</span>;
    }
    const view = render(wrap(<Tile x={0} y={0} />));
    expect(screen.getByTestId("t").textContent).toBe("1");
    view.rerender(wrap(<Tile x={4} y={-4} />));
    expect(screen.getByTestId("t").textContent).toBe("2");
    view.rerender(wrap(<Tile x={9} y={9} />));
    expect(screen.getByTestId("t").textContent).toBe("undefined");
  });

  it("should follow useMapArea's bounds when they change, and move an entity between tiles in one render", async () => {
    const { Army, wrap } = setup();
    setComponent(Army, e(1), { owner: 1n, x: 0, y: 0 });
    setComponent(Army, e(2), { owner: 2n, x: 10, y: 10 });
    await Promise.resolve();
    let renders = 0;
    function Area({ max }: { max: number }) {
      const tiles = useMapArea({ minX: 0, minY: 0, maxX: max, maxY: max });
      renders += 1;
      return <span data-testid="a">{tiles.map((t) => `${t.x},${t.y}`).join(";")}</span>;
    }
    const view = render(wrap(<Area max={5} />));
    expect(screen.getByTestId("a").textContent).toBe("0,0");
    view.rerender(wrap(<Area max={20} />));
    expect(screen.getByTestId("a").textContent).toBe("0,0;10,10");
    await act(async () => {
      updateComponent(Army, e(1), { x: 3, y: 3 });
      updateComponent(Army, e(1), { x: 4, y: 4 });
      await Promise.resolve();
    });
    expect(screen.getByTestId("a").textContent).toBe("4,4;10,10");
    const before = renders;
    await act(async () => {
      setComponent(Army, e(3), { owner: 1n, x: 50, y: 50 });
      await Promise.resolve();
    });
    expect(renders).toBe(before);
  });

  it("should not update an unmounted hook for a batch pending at unmount, and show a rebuild after stop/start", async () => {
    const { Army, map, wrap } = setup();
    const spy = vi.spyOn(console, "error");
    function Count() {
      return <span data-testid="c">{useMapData((m) => m.counts.armies)}</span>;
    }
    const view = render(wrap(<Count />));
    await act(async () => {
      setComponent(Army, e(1), { owner: 1n, x: 0, y: 0 });
      await Promise.resolve();
    });
    expect(screen.getByTestId("c").textContent).toBe("1");
    map.stop();
    removeComponent(Army, e(1));
    setComponent(Army, e(2), { owner: 1n, x: 0, y: 0 });
    setComponent(Army, e(3), { owner: 1n, x: 1, y: 0 });
    await act(async () => {
      map.start();
      await Promise.resolve();
    });
    expect(screen.getByTestId("c").textContent).toBe("2");
    setComponent(Army, e(4), { owner: 1n, x: 2, y: 0 });
    view.unmount();
    await Promise.resolve();
    await Promise.resolve();
    expect(spy).not.toHaveBeenCalled();
    map.stop();
    expect(Army.update$.observers?.length ?? 0).toBe(0);
    spy.mockRestore();
  });
});

import { createWorld, defineComponent, removeComponent, setComponent, Type as RecsType, updateComponent, type Entity } from "@dojoengine/recs";
import { act, cleanup, render } from "@testing-library/react";
import { StrictMode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { page } from "vitest/browser";
import { SyncProvider } from "../../src/components/SyncProvider";
import { useMapArea, useMapTile } from "../../src/hooks/useMapData";
import { defineMapProjection } from "../../src/map/projection";

afterEach(() => cleanup());

const e = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Entity;
// Eternum's map centre: above the small-integer range of Chromium's V8 (pointer compression), as real maps are.
const C = 2147483646;

function world() {
  const recs = createWorld();
  const Army = defineComponent(recs, { owner: RecsType.BigInt, x: RecsType.Number, y: RecsType.Number, troops: RecsType.Number }, { metadata: { namespace: "s0_eternum", name: "Army" } });
  const map = defineMapProjection({
    layers: { armies: { component: Army, position: (v) => ({ x: v.x, y: v.y }), fields: (v) => ({ owner: v.owner, troops: v.troops }) } },
  });
  return { Army, map };
}

describe("map hooks in Chromium", () => {
  it("should re-render only the tiles a change touches, through SyncProvider under StrictMode, at Eternum's coordinates", async () => {
    const { Army, map } = world();
    setComponent(Army, e(1), { owner: 1n, x: C, y: C, troops: 10 });
    setComponent(Army, e(2), { owner: 2n, x: C + 2, y: C, troops: 20 });
    const renders = new Map<string, number>();
    function Cell({ dx }: { dx: number }) {
      const tile = useMapTile(C + dx, C);
      const key = `cell ${dx}`;
      renders.set(key, (renders.get(key) ?? 0) + 1);
      const armies = tile?.layers.armies ?? [];
      return <li aria-label={key}>{armies.map((item) => `${String((item.fields as { owner: bigint }).owner)}:${(item.fields as { troops: number }).troops}`).join(" ")}</li>;
    }
    function Viewport() {
      const tiles = useMapArea({ minX: C - 1, minY: C - 1, maxX: C + 3, maxY: C + 1 });
      return <p aria-label="viewport">{tiles.length} tiles</p>;
    }
    render(
      <StrictMode>
        <SyncProvider map={map}>
          <ul>
            <Cell dx={0} />
            <Cell dx={1} />
            <Cell dx={2} />
          </ul>
          <Viewport />
        </SyncProvider>
      </StrictMode>,
    );
    await expect.element(page.getByLabelText("cell 0")).toHaveTextContent("1:10");
    await expect.element(page.getByLabelText("cell 2")).toHaveTextContent("2:20");
    await expect.element(page.getByLabelText("viewport")).toHaveTextContent("2 tiles");
    // StrictMode started the map twice; the second start changed nothing.
    expect(map.getSnapshot().version).toBe(1);
    const before = new Map(renders);

    // Army 1 moves from cell 0 to cell 1; cell 2 is not touched and must not render.
    await act(async () => {
      updateComponent(Army, e(1), { x: C + 1 });
      await Promise.resolve();
    });
    await expect.element(page.getByLabelText("cell 1")).toHaveTextContent("1:10");
    await expect.element(page.getByLabelText("cell 0")).toHaveTextContent("");
    // StrictMode renders every component twice per render.
    expect((renders.get("cell 0") ?? 0) - (before.get("cell 0") ?? 0)).toBe(2);
    expect((renders.get("cell 1") ?? 0) - (before.get("cell 1") ?? 0)).toBe(2);
    expect(renders.get("cell 2")).toBe(before.get("cell 2"));

    // A burst on other tiles, then a removal in the viewport: one batch each, the DOM follows.
    await act(async () => {
      for (let i = 0; i < 500; i += 1) setComponent(Army, e(100 + i), { owner: 3n, x: C + 10 + (i % 50), y: C + 10, troops: i });
      await Promise.resolve();
    });
    expect(renders.get("cell 2")).toBe(before.get("cell 2"));
    await act(async () => {
      removeComponent(Army, e(2));
      await Promise.resolve();
    });
    await expect.element(page.getByLabelText("cell 2")).toHaveTextContent("");
    await expect.element(page.getByLabelText("viewport")).toHaveTextContent("1 tiles");
    expect(map.getSnapshot().counts.armies).toBe(501);
    // Unmounting the provider stops the map: nothing is left listening to RECS.
    cleanup();
    expect(Army.update$.observers?.length ?? 0).toBe(0);
  });
});

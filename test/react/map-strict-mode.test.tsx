import { createWorld, defineComponent, setComponent, Type as RecsType, type Entity } from "@dojoengine/recs";
import { act, render, screen } from "@testing-library/react";
import { StrictMode } from "react";
import { describe, expect, it } from "vitest";
import { SyncProvider } from "../../src/components/SyncProvider";
import type { SyncError } from "../../src/core/errors";
import { useMapTile } from "../../src/hooks/useMapData";
import { defineMapProjection } from "../../src/map/projection";

const e = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Entity;

describe("map hooks under StrictMode", () => {
  // Bug: SyncProvider starts the map in an effect; StrictMode runs start, stop, start, and start() reads every entity
  // again, so one unreadable RECS value is reported twice and counted twice in `rejected`.
  it("should report an unreadable entity once and count it once under StrictMode's double mount", async () => {
    const world = createWorld();
    const Army = defineComponent(world, { x: RecsType.Number, y: RecsType.Number, t: RecsType.Number }, { metadata: { namespace: "t", name: "Army" } });
    const errors: SyncError[] = [];
    const map = defineMapProjection({
      onError: (error) => errors.push(error),
      layers: { armies: { component: Army, position: (v) => (v.t === 13 ? ({ x: "bad", y: 0 } as never) : { x: v.x, y: v.y }), fields: (v) => v.t } },
    });
    setComponent(Army, e(1), { x: 0, y: 0, t: 13 });
    setComponent(Army, e(2), { x: 1, y: 0, t: 1 });
    function Tile() {
      const tile = useMapTile(1, 0);
      return <span data-testid="tile">{tile?.layers.armies?.length ?? 0}</span>;
    }
    const view = render(
      <StrictMode>
        <SyncProvider map={map}>
          <Tile />
        </SyncProvider>
      </StrictMode>,
    );
    await act(async () => {
      await Promise.resolve();
    });
    expect(screen.getByTestId("tile").textContent).toBe("1");
    expect(Army.update$.observers?.length ?? 0).toBe(1);
    // One RECS value, written once, never changed: one report.
    expect(errors).toHaveLength(1);
    expect(map.rejected).toBe(1);
    view.unmount();
  });
});

import { createWorld, defineComponent, setComponent, Type as RecsType, type Entity } from "@dojoengine/recs";
import { act, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { EntityId } from "../../src/core/entity-id";
import { SyncContext } from "../../src/hooks/sync-context";
import { useMapTile } from "../../src/hooks/useMapData";
import { defineMapProjection } from "../../src/map/projection";
import type { SqlMapSource, SqlMapStatus, SqlRow } from "../../src/map/sql-source";
import { createIdleStore } from "../../src/store/sync-view";

const e = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Entity;

/** An SQL source holding one row, filled by hand (version bumped once, as after one refresh). */
function handSource(resources: number): SqlMapSource {
  const row: SqlRow = { id: e(1) as unknown as EntityId, values: { resources }, version: 1, lastFetchedAt: 0, stale: false };
  const table = new Map<EntityId, SqlRow>([[row.id, row]]);
  const status: SqlMapStatus = { status: "ok", lastError: undefined, lastRefreshAt: 1, refreshes: 1 };
  return {
    version: 1,
    start: () => undefined,
    stop: () => undefined,
    refresh: () => Promise.resolve(),
    row: (query, id) => (query === "structures" ? table.get(id) : undefined),
    rows: (query) => (query === "structures" ? table : new Map()),
    getStatus: () => status,
    subscribe: () => () => undefined,
  };
}

describe("useMapTile when the provider's SQL source changes", () => {
  it("should show the new source's fields, not the old source's, after the sqlMap prop changes", async () => {
    const world = createWorld();
    const Structure = defineComponent(world, { owner: RecsType.BigInt, x: RecsType.Number, y: RecsType.Number }, { metadata: { namespace: "t", name: "Structure" } });
    const map = defineMapProjection({ layers: { structures: { component: Structure, position: (v) => ({ x: v.x as number, y: v.y as number }), fields: (v) => ({ owner: v.owner }) } } });
    map.start();
    setComponent(Structure, e(1), { owner: 7n, x: 0, y: 0 });
    await act(async () => {
      await Promise.resolve();
    });
    function TileView() {
      const tile = useMapTile(0, 0);
      const fields = tile?.layers.structures?.[0]?.fields as { resources?: number } | undefined;
      return <span data-testid="tile">{String(fields?.resources)}</span>;
    }
    const store = createIdleStore();
    const tree = (sqlMap: SqlMapSource) => (
      <SyncContext.Provider value={{ store, pipeline: undefined, reload: () => undefined, map, sqlMap }}>
        <TileView />
      </SyncContext.Provider>
    );
    const a = handSource(50);
    const b = handSource(999);
    const view = render(tree(a));
    expect(screen.getByTestId("tile").textContent).toBe("50");
    // The app switches to another SQL source (another world, another Torii) that happens to be at the same version.
    view.rerender(tree(b));
    expect(screen.getByTestId("tile").textContent).toBe("999");
    map.stop();
  });
});

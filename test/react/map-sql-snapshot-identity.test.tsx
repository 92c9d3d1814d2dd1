import { createWorld, defineComponent, setComponent, Type as RecsType, type Entity } from "@dojoengine/recs";
import { act, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SyncContext } from "../../src/hooks/sync-context";
import { useMapData } from "../../src/hooks/useMapData";
import { defineMapProjection } from "../../src/map/projection";
import { createSqlMapSource } from "../../src/map/sql-source";
import { createIdleStore } from "../../src/store/sync-view";

const e = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Entity;

afterEach(() => {
  vi.useRealTimers();
});

describe("useMapData with an SQL source", () => {
  it("should keep the snapshot's identity (no re-render) when a cadence refresh brings back the very same rows", async () => {
    vi.useFakeTimers();
    const world = createWorld();
    const Structure = defineComponent(world, { owner: RecsType.BigInt, x: RecsType.Number, y: RecsType.Number }, { metadata: { namespace: "t", name: "Structure" } });
    const map = defineMapProjection({ layers: { structures: { component: Structure, position: (v) => ({ x: v.x as number, y: v.y as number }), fields: (v) => ({ owner: v.owner }) } } });
    map.start();
    setComponent(Structure, e(1), { owner: 7n, x: 0, y: 0 });
    await vi.advanceTimersByTimeAsync(0);
    let fetches = 0;
    const fetch = (() => {
      fetches += 1;
      return Promise.resolve(new Response(JSON.stringify([{ id: e(1), executed_at: 100, resources: 50 }])));
    }) as unknown as typeof globalThis.fetch;
    const sqlMap = createSqlMapSource({ url: "http://127.0.0.1:1", queries: { structures: { sql: "SELECT 1" } }, fetch, refreshMs: 1_000 });
    sqlMap.start();
    await vi.advanceTimersByTimeAsync(10);

    let renders = 0;
    const seen = new Set<unknown>();
    function WholeMap() {
      const snapshot = useMapData();
      renders += 1;
      seen.add(snapshot);
      const fields = snapshot.tile(0, 0)?.layers.structures?.[0]?.fields as { resources?: number } | undefined;
      return <span data-testid="map">{String(fields?.resources)}</span>;
    }
    const value = { store: createIdleStore(), pipeline: undefined, reload: () => undefined, map, sqlMap };
    render(
      <SyncContext.Provider value={value}>
        <WholeMap />
      </SyncContext.Provider>,
    );
    expect(screen.getByTestId("map").textContent).toBe("50");
    const before = renders;
    // Three cadence refreshes, each answering exactly the same row: neither the map nor any SQL field changed.
    await act(() => vi.advanceTimersByTimeAsync(3_100));
    expect(fetches).toBeGreaterThanOrEqual(4);
    expect(screen.getByTestId("map").textContent).toBe("50");
    expect(seen.size).toBe(1);
    expect(renders).toBe(before);
    sqlMap.stop();
    map.stop();
  });
});

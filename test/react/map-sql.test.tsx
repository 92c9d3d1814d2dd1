import { createWorld, defineComponent, setComponent, Type as RecsType, type Entity } from "@dojoengine/recs";
import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SyncProvider } from "../../src/components/SyncProvider";
import { SyncContext } from "../../src/hooks/sync-context";
import type { EntityId } from "../../src/core/entity-id";
import type { SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { useMapTile } from "../../src/hooks/useMapData";
import { useSqlMapStatus } from "../../src/hooks/useSqlMapStatus";
import { defineMapProjection } from "../../src/map/projection";
import type { SqlMapSource, SqlMapStatus, SqlRow } from "../../src/map/sql-source";
import { createIdleStore } from "../../src/store/sync-view";
import { MemoryToriiClient } from "../support/memory-client";
import { createTestWorld } from "../support/world";

const e = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Entity;

/** An SQL source the test fills by hand (the real one is tested against the fake Torii's SQLite). */
class HandSqlSource implements SqlMapSource {
  version = 0;
  started: SyncPipeline | undefined | "none" = "none";
  private status: SqlMapStatus = { status: "ok", lastError: undefined, lastRefreshAt: 5, refreshes: 1 };
  private readonly tables = new Map<string, Map<EntityId, SqlRow>>();
  private readonly listeners = new Set<() => void>();
  set(query: string, id: Entity, values: Record<string, unknown>) {
    const table = this.tables.get(query) ?? new Map<EntityId, SqlRow>();
    table.set(id as unknown as EntityId, { id: id as unknown as EntityId, values, version: 1, lastFetchedAt: 0, stale: false });
    this.tables.set(query, table);
    this.bump();
  }
  setStatus(status: SqlMapStatus) {
    this.status = status;
    this.bump();
  }
  private bump() {
    this.version += 1;
    for (const listener of this.listeners) listener();
  }
  start(pipeline?: SyncPipeline) {
    this.started = pipeline;
  }
  stop() {
    this.started = "none";
  }
  refresh() {
    return Promise.resolve();
  }
  row(query: string, id: EntityId) {
    return this.tables.get(query)?.get(id);
  }
  rows(query: string) {
    return this.tables.get(query) ?? new Map();
  }
  getStatus() {
    return this.status;
  }
  subscribe(listener: () => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function mapSetup() {
  const world = createWorld();
  const Structure = defineComponent(world, { owner: RecsType.BigInt, x: RecsType.Number, y: RecsType.Number }, { metadata: { namespace: "t", name: "Structure" } });
  const map = defineMapProjection({
    layers: { structures: { component: Structure, position: (v) => ({ x: v.x as number, y: v.y as number }), fields: (v) => ({ owner: v.owner }) } },
  });
  map.start();
  return { Structure, map };
}

let renders = 0;
function TileView({ x, y }: { x: number; y: number }) {
  const tile = useMapTile(x, y);
  renders += 1;
  const fields = tile?.layers.structures?.[0]?.fields as { owner?: bigint; resources?: number } | undefined;
  return <span data-testid="tile">{`${String(fields?.owner)}/${String(fields?.resources)}`}</span>;
}

beforeEach(() => {
  renders = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe("map data with SQL fields", () => {
  it("should merge SQL fields into map items with live ECS fields winning, and not re-render a tile for another entity's row", async () => {
    const { Structure, map } = mapSetup();
    setComponent(Structure, e(1), { owner: 7n, x: 0, y: 0 });
    setComponent(Structure, e(2), { owner: 8n, x: 5, y: 5 });
    await Promise.resolve();
    const sql = new HandSqlSource();
    // The SQL row is behind on owner (a stale snapshot) but holds a field the ECS lacks.
    sql.set("structures", e(1), { owner: 999n, resources: 50 });
    const value = { store: createIdleStore(), pipeline: undefined, reload: () => undefined, map, sqlMap: sql };
    render(
      <SyncContext.Provider value={value}>
        <TileView x={0} y={0} />
      </SyncContext.Provider>,
    );
    expect(screen.getByTestId("tile").textContent).toBe("7/50");
    const before = renders;
    await act(async () => {
      sql.set("structures", e(2), { resources: 1 });
    });
    expect(renders).toBe(before);
    await act(async () => {
      sql.set("structures", e(1), { owner: 999n, resources: 60 });
    });
    expect(screen.getByTestId("tile").textContent).toBe("7/60");
    expect(renders).toBe(before + 1);
  });

  it("should show the SQL source's status through useSqlMapStatus, and start it with the provider's pipeline", async () => {
    vi.useFakeTimers();
    const client = new MemoryToriiClient();
    const { world, components } = createTestWorld();
    const sql = new HandSqlSource();
    function Status() {
      const status = useSqlMapStatus()?.status ?? "none";
      return <span data-testid="sql">{status}</span>;
    }
    const view = render(
      <SyncProvider client={client} world={world} components={components} sqlMap={sql}>
        <Status />
      </SyncProvider>,
    );
    await act(() => vi.advanceTimersByTimeAsync(100));
    expect(sql.started).not.toBe("none");
    expect(screen.getByTestId("sql").textContent).toBe("ok");
    await act(async () => {
      sql.setStatus({ status: "error", lastError: undefined, lastRefreshAt: 5, refreshes: 1 });
    });
    expect(screen.getByTestId("sql").textContent).toBe("error");
    view.unmount();
    expect(sql.started).toBe("none");
  });
});

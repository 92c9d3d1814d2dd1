import { createWorld, defineComponent, setComponent, Type as RecsType, type Entity } from "@dojoengine/recs";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { EntityId } from "../../src/core/entity-id";
import type { SyncState } from "../../src/core/state";
import type { SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { withSqlFields } from "../../src/map/merge-sql";
import { defineMapProjection } from "../../src/map/projection";
import { createSqlMapSource, type SqlMapSource } from "../../src/map/sql-source";

const id = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as EntityId;

let source: SqlMapSource | undefined;
afterEach(() => {
  source?.stop();
  source = undefined;
  vi.useRealTimers();
});

function stubPipeline() {
  const appliedListeners = new Set<(ids: readonly EntityId[]) => void>();
  const versions = new Map<EntityId, number>();
  const pipeline = {
    ready: Promise.resolve(),
    subscribe(_listener: (state: SyncState, previous: SyncState) => void) {
      return () => undefined;
    },
    subscribeApplied(listener: (ids: readonly EntityId[]) => void) {
      appliedListeners.add(listener);
      return () => appliedListeners.delete(listener);
    },
    entityVersion: (entity: EntityId) => versions.get(entity),
  } as unknown as SyncPipeline;
  return {
    pipeline,
    versions,
    applied(ids: EntityId[]) {
      for (const listener of appliedListeners) listener(ids);
    },
  };
}

describe("SQL map source: targeted refresh and merged identity", () => {
  it("should keep a merged tile's identity when a targeted refresh brings back the very same row", async () => {
    vi.useFakeTimers();
    // SQL lags the stream: it keeps answering the same row (same executed_at, same fields).
    const fetch = (() => Promise.resolve(new Response(JSON.stringify([{ id: id(1), executed_at: 100, resources: 50 }])))) as unknown as typeof globalThis.fetch;
    const stub = stubPipeline();
    source = createSqlMapSource({ url: "http://127.0.0.1:1", queries: { structures: { sql: "SELECT 1" } }, fetch, refreshMs: 60_000, staleBatchMs: 250 });

    const world = createWorld();
    const Structure = defineComponent(world, { owner: RecsType.BigInt, x: RecsType.Number, y: RecsType.Number }, { metadata: { namespace: "t", name: "Structure" } });
    const map = defineMapProjection({ layers: { structures: { component: Structure, position: (v) => ({ x: v.x as number, y: v.y as number }), fields: (v) => ({ owner: v.owner }) } } });
    map.start();
    setComponent(Structure, id(1) as unknown as Entity, { owner: 7n, x: 0, y: 0 });
    await vi.advanceTimersByTimeAsync(0);

    source.start(stub.pipeline);
    await vi.advanceTimersByTimeAsync(10);
    expect(source.getStatus().status).toBe("ok");
    const before = withSqlFields(map.getSnapshot(), source).tile(0, 0);
    expect(before?.layers.structures?.[0]?.fields).toMatchObject({ owner: 7n, resources: 50 });

    // The stream applies a newer version of a model the map ignores (no map change): the row goes stale, a targeted
    // refresh asks again and gets back exactly the same row.
    stub.versions.set(id(1), 200);
    stub.applied([id(1)]);
    await vi.advanceTimersByTimeAsync(300);
    const after = withSqlFields(map.getSnapshot(), source).tile(0, 0);
    expect(after?.layers.structures?.[0]?.fields).toMatchObject({ owner: 7n, resources: 50 });
    // Nothing the tile shows changed: it keeps its identity, so useMapTile does not re-render for nothing.
    expect(after).toBe(before);
    map.stop();
  });
});

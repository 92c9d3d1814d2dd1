import { createWorld, defineComponent, getComponentValue, removeComponent, setComponent, Type as RecsType, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSyncPipeline, type SyncPipeline, type SyncPipelineOptions } from "../../src/core/pipeline";
import { defineMapProjection } from "../../src/map/projection";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

// Each test here pins a bug found in review (the scenario that showed it), so it cannot come back.

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const structure = (level: number) => ({ owner: ty.address(2n), category: ty.enum("C", "Realm"), level: ty.u8(level), guard: ty.struct("G", { count: ty.u128(5n), tier: ty.enum("T", "T1") }) });
const E = (id: number) => paddedId(id) as Entity;
const zero = { hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0, created_at: 0, world_address: "0x0" };
const quietPage = { onVisibilityChange: () => () => undefined, onOnline: () => () => undefined };

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let components: TestComponents;

function start(extra: Partial<SyncPipelineOptions> = {}): SyncPipeline {
  const setup = createTestWorld();
  components = setup.components;
  pipeline = createSyncPipeline({ client, world: setup.world, components, environment: quietPage, random: () => 0.5, ...extra });
  void pipeline.start();
  return pipeline;
}

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
});
afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("regressions", () => {
  it("should not mass-delete on an empty snapshot when entities carry two models each", async () => {
    client.rows = Array.from({ length: 30 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i), "test-Structure": structure(1) }));
    const p = start();
    await vi.advanceTimersByTimeAsync(200);
    client.rows = [];
    await p.forceReplay();
    expect(components.Army.values.x.size).toBe(30);
    expect(components.Structure.values.level.size).toBe(30);
    expect(p.metrics().reconcileSkipped).toBe(1);
  });

  it("should page everything again when the buffer overflowed during a replay, and remove nothing that lives", async () => {
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    client.beforePage = (index) => {
      if (index !== 0) return;
      // While the boot pages, ids 2..5 appear on the server after the snapshot's read point; the stream reports them.
      for (let id = 2; id <= 5; id += 1) client.emit(rawEntity(id, 101, { "test-Army": army(id) }));
      for (let id = 2; id <= 5; id += 1) client.rows.push(rawEntity(id, 101, { "test-Army": army(id) }));
    };
    const p = start({ queue: { highWaterMark: 3 } });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(p.getState().status).toBe("streaming");
    expect(components.Army.values.x.size).toBe(5);
    expect(p.metrics().reconciled).toBe(0);
  });

  it("should finish a replay whose page limit is above the queue's high-water mark, instead of replaying itself forever", async () => {
    client.rows = Array.from({ length: 15 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i) }));
    const p = start({ queue: { highWaterMark: 10 } });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(p.getState().status).toBe("streaming");
    expect(components.Army.values.x.size).toBe(15);
    expect(p.metrics().replays).toBe(1);
    expect(p.metrics().overflows).toBe(0);
  });

  it("should replay again when a gap arrives while a failed replay waits to retry", async () => {
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 100, { "test-Army": army(2) })];
    client.beforePage = (index) => {
      if (index !== 1) return;
      // The second page fails; during the backoff entity 1 (already paged) changes and the stream reconnects.
      setTimeout(() => {
        client.rows[0] = rawEntity(1, 200, { "test-Army": army(99) });
        client.emit(zero);
      }, 10);
      throw 'status: Unavailable, message: "boom"';
    };
    const p = start({ guard: { replayPageLimit: 1 }, backoff: { baseMs: 50, maxMs: 50, jitter: 0 } });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(p.getState().status).toBe("streaming");
    expect(getComponentValue(components.Army, E(1))?.x).toBe(99);
  });

  it("should drain an update that arrives right after a drain's last slice", async () => {
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const p = start();
    await vi.advanceTimersByTimeAsync(200);
    let once = true;
    p.subscribeApplied?.(() => {
      if (!once) return;
      once = false;
      queueMicrotask(() => client.emit(rawEntity(2, 101, { "test-Army": army(2) })));
    });
    client.emit(rawEntity(1, 101, { "test-Army": army(5) }));
    await vi.advanceTimersByTimeAsync(500);
    expect(getComponentValue(components.Army, E(2))).toBeDefined();
    expect(p.metrics().queueDepth).toBe(0);
  });

  it("should not replay a quiet world whose sampled row has a model the client rejects", async () => {
    client.rows = [rawEntity(1, 100, { "test-Army": { ...army(1), x: ty.raw("u32", "not a number") } })];
    const p = start();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(p.metrics().replays).toBe(1);
    expect(p.metrics().probes).toBeGreaterThan(10);
  });

  it("should leave no probe timer and send no page request after cancel()", async () => {
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const p = start({ guard: { heartbeatTimeoutMs: 1_000, heartbeatCheckIntervalMs: 100 } });
    await vi.advanceTimersByTimeAsync(200);
    client.getEntities = () => new Promise(() => undefined);
    await vi.advanceTimersByTimeAsync(1_200);
    expect(p.metrics().probes).toBe(1);
    p.cancel();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("should keep the ledger bounded when short-lived entities come and go without a replay", async () => {
    const p = start();
    await vi.advanceTimersByTimeAsync(100);
    for (let id = 1; id <= 20_000; id += 1) {
      client.emit(rawEntity(id, 100 + id, { "test-Army": army(id) }));
      client.emit(rawEntity(id, 101 + id, {}));
      if (id % 2_000 === 0) await vi.advanceTimersByTimeAsync(60);
    }
    await vi.advanceTimersByTimeAsync(200);
    expect(p.inspect().ledger.entities.entities).toBeLessThanOrEqual(3_601 + 2_000);
    expect(p.metrics().tombstonesPruned).toBeGreaterThan(0);
  });

  it("should take off the map what RECS removed while the projection was stopped", () => {
    const world = createWorld();
    const Army = defineComponent(world, { x: RecsType.Number, y: RecsType.Number }, { metadata: { namespace: "t", name: "Army" } });
    const map = defineMapProjection({ layers: { armies: { component: Army, position: (v) => ({ x: v.x as number, y: v.y as number }), fields: () => ({}) } } });
    setComponent(Army, E(1), { x: 3, y: 4 });
    map.start();
    const before = map.getSnapshot();
    map.stop();
    removeComponent(Army, E(1));
    map.start();
    expect(map.getSnapshot().tile(3, 4)).toBeUndefined();
    expect(map.getSnapshot().counts.armies).toBe(0);
    expect(before.tile(3, 4)?.layers.armies).toHaveLength(1);
    map.stop();
  });
});

import { getComponentValue, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SyncError } from "../../src/core/errors";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import { getSyncEntities, syncEntitiesDebounced } from "../../src/sync/sync-entities";
import type { SyncLogger } from "../../src/core/log";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const settle = () => vi.advanceTimersByTimeAsync(200);
let client: MemoryToriiClient;

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
  client.rows = [rawEntity(1, 100, { "test-Army": army(3) })];
});
afterEach(() => {
  vi.useRealTimers();
});

describe("adopting the SDK", () => {
  it("should fail at once, with a SyncError that says to await it, when handed the client's Promise", () => {
    const { world, components } = createTestWorld();
    const pending = Promise.resolve(client);
    let thrown: unknown;
    try {
      createSyncPipeline({ client: pending as never, world, components });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SyncError);
    expect(thrown).toMatchObject({ code: "SYNC_CLIENT_NOT_READY" });
    expect((thrown as Error).message).toMatch(/await/);
  });

  it("should refuse a setting out of its range at once, with SYNC_BAD_OPTION naming it, and change nothing", () => {
    const bad: Array<[string, Record<string, Record<string, unknown>>]> = [
      ["guard.heartbeatTimeoutMs", { guard: { heartbeatTimeoutMs: Number.NaN } }],
      ["guard.heartbeatCheckIntervalMs", { guard: { heartbeatCheckIntervalMs: 0 } }],
      // A timer given more than 2³¹ − 1 ms fires at once: every check would run back to back.
      ["guard.heartbeatCheckIntervalMs", { guard: { heartbeatCheckIntervalMs: 3_000_000_000 } }],
      ["guard.probeTimeoutMs", { guard: { probeTimeoutMs: -1 } }],
      ["guard.maxReplayAttempts", { guard: { maxReplayAttempts: 1.5 } }],
      ["guard.replayPageLimit", { guard: { replayPageLimit: "40000" } }],
      ["guard.probePageSize", { guard: { probePageSize: Number.POSITIVE_INFINITY } }],
      ["guard.tombstoneHorizonSeconds", { guard: { tombstoneHorizonSeconds: -3_600 } }],
      ["guard.heartbeatTimeoutMs", { guard: { heartbeatTimeoutMs: undefined } }],
      ["queue.highWaterMark", { queue: { highWaterMark: 0 } }],
      // Torii's page limit is a uint32; a drain that may wait forever never drains a busy stream.
      ["guard.replayPageLimit", { guard: { replayPageLimit: Number.POSITIVE_INFINITY } }],
      ["queue.maxWaitMs", { queue: { maxWaitMs: Number.POSITIVE_INFINITY } }],
      ["queue.sliceMs", { queue: { sliceMs: -1 } }],
      ["backoff.factor", { backoff: { factor: Number.POSITIVE_INFINITY } }],
      ["backoff.jitter", { backoff: { jitter: 2 } }],
      ["backoff.maxMs", { backoff: { maxMs: Number.POSITIVE_INFINITY } }],
      ["reconcile.maxRemovalRatio", { reconcile: { maxRemovalRatio: -0.5 } }],
    ];
    for (const [name, options] of bad) {
      const { world, components } = createTestWorld();
      let thrown: unknown;
      try {
        createSyncPipeline({ client, world, components, environment: noPageEnvironment, ...(options as object) });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, name).toBeInstanceOf(SyncError);
      expect(thrown, name).toMatchObject({ code: "SYNC_BAD_OPTION" });
      expect((thrown as Error).message, name).toContain(`${name} must be`);
      // Nothing was bound: the game's component Maps are as RECS made them (not sharded).
      expect(Object.getPrototypeOf(components.Army.values.x)).toBe(Map.prototype);
    }
    // getSyncEntities's page size is named as its caller wrote it.
    return expect(getSyncEntities(client, createTestWorld().components, undefined, undefined, undefined, 0)).rejects.toMatchObject({ code: "SYNC_BAD_OPTION", message: expect.stringContaining("getSyncEntities.limit must be") });
  });

  it("should accept each setting at the edges of its range", () => {
    // The edges of each range are accepted, and Infinity where it means "never" (a horizon, a budget, a burst by count).
    const { world, components } = createTestWorld();
    const fine = createSyncPipeline({
      client,
      world,
      components,
      environment: noPageEnvironment,
      guard: { tombstoneHorizonSeconds: Number.POSITIVE_INFINITY, maxReplayAttempts: Number.POSITIVE_INFINITY, replayPageLimit: 1, probePageSize: 1, probeTimeoutMs: 1 },
      queue: { highWaterMark: 1, burstTurn: Number.POSITIVE_INFINITY, maxWaitMs: 0, sliceMs: 0, burstRate: 0 },
      backoff: { baseMs: 0, jitter: 1 },
      reconcile: { maxRemovalRatio: 1, minRemovalsChecked: 0 },
    });
    expect(fine.getState().status).toBe("idle");
    expect(fine.inspect().config).toMatchObject({ maxReplayAttempts: Number.POSITIVE_INFINITY, probeTimeoutMs: 1 });
    fine.cancel();
  });

  it("should hand back ready, getState, subscribe, metrics, forceReplay and cancel from syncEntitiesDebounced", async () => {
    const { world, components } = createTestWorld();
    const handle = syncEntitiesDebounced(client, { world, components }, undefined, { environment: noPageEnvironment, guard: { replayPageLimit: 10 } });
    const statuses: string[] = [];
    const off = handle.subscribe((state, previous) => {
      if (state.status !== previous.status) statuses.push(state.status);
    });
    await settle();
    await handle.ready;
    // It starts at once (already replaying when the call returns): the listener sees the boot end.
    expect(statuses).toEqual(["streaming"]);
    expect(handle.metrics()).toMatchObject({ replays: 1, applied: 1 });
    off();
    handle.cancel();
    expect(client.subscriberCount).toBe(0);
  });

  it("should take logging in one place per call: the options bag, or the older positional boolean", async () => {
    const lines: string[] = [];
    const logger: SyncLogger = { debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
    const first = createTestWorld();
    const a = syncEntitiesDebounced(client, first, undefined, { logging: logger, environment: noPageEnvironment });
    await settle();
    expect(lines.length).toBeGreaterThan(0);
    a.cancel();
    const spy = vi.spyOn(console, "info").mockImplementation(() => undefined);
    const second = createTestWorld();
    const b = syncEntitiesDebounced(client, second, undefined, true, { environment: noPageEnvironment });
    await settle();
    expect(spy).toHaveBeenCalled();
    b.cancel();
    spy.mockRestore();
  });

  it("should take @dojoengine/state's getSyncEntities call as it is, resolving once RECS is consistent", async () => {
    const { components } = createTestWorld();
    const started = getSyncEntities(client, Object.values(components), undefined, [], ["test-Army"], 100, false, { environment: noPageEnvironment });
    await settle();
    const subscription = await started;
    expect(getComponentValue(components.Army, paddedId(1) as Entity)?.x).toBe(3);
    expect(subscription.sync.getState().status).toBe("streaming");
    subscription.cancel();
    expect(client.subscriberCount).toBe(0);
  });
});

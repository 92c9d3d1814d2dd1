import { getComponentValue, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let components: TestComponents;

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
});

afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("replay: a snapshot row rejected for a malformed field", () => {
  const cases = [
    ["an unreadable executed_at", { executed_at: "soon" }, "SYNC_BAD_TIMESTAMP"],
    ["an unreadable updated_at", { updated_at: -1 }, "SYNC_BAD_TIMESTAMP"],
    ["models that are not an object", { models: "garbage" }, "SYNC_BAD_PAYLOAD"],
  ] as const;
  it.each(cases)("should not remove an entity from RECS because its snapshot row had %s", async (_label, damage, code) => {
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 100, { "test-Army": army(2) })];
    const setup = createTestWorld();
    components = setup.components;
    pipeline = createSyncPipeline({ client, world: setup.world, components, environment: noPageEnvironment, random: () => 0.5 });
    await Promise.all([pipeline.start(), vi.advanceTimersByTimeAsync(100)]);
    expect(getComponentValue(components.Army, paddedId(2) as Entity)?.x).toBe(2);
    // The server still holds entity 2; only one field of its row is malformed (updated_at is not even read for versions).
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), { ...rawEntity(2, 110, { "test-Army": army(3) }), ...damage }];
    await Promise.all([pipeline.forceReplay(), vi.advanceTimersByTimeAsync(1_000)]);
    expect(pipeline.metrics().rejectedByCode[code]).toBeGreaterThan(0);
    // Stale (x = 2) is acceptable, gone is not: the entity exists on the server.
    expect(getComponentValue(components.Army, paddedId(2) as Entity)).toBeDefined();
  });

  it("should not remove an entity from RECS because the models getter of its snapshot row threw", async () => {
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 100, { "test-Army": army(2) })];
    const setup = createTestWorld();
    components = setup.components;
    pipeline = createSyncPipeline({ client, world: setup.world, components, environment: noPageEnvironment, random: () => 0.5 });
    await Promise.all([pipeline.start(), vi.advanceTimersByTimeAsync(100)]);
    const hostile: Record<string, unknown> = { ...rawEntity(2, 110, { "test-Army": army(3) }) };
    Object.defineProperty(hostile, "models", { enumerable: true, get: () => { throw new TypeError("boom"); } });
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), hostile];
    await Promise.all([pipeline.forceReplay(), vi.advanceTimersByTimeAsync(1_000)]);
    expect(pipeline.metrics().rejectedByCode.SYNC_BAD_PAYLOAD).toBeGreaterThan(0);
    expect(getComponentValue(components.Army, paddedId(2) as Entity)?.x).toBe(2);
  });
});

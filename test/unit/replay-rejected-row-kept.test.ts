import { getComponentValue, type Entity } from "@dojoengine/recs";
import { describe, expect, it, vi } from "vitest";
import { memoryPipelines } from "../support/memory-pipeline";
import { paddedId, rawEntity, ty } from "../support/ty";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

const rig = memoryPipelines();

describe("replay: a snapshot row rejected for a malformed field", () => {
  const cases = [
    ["an unreadable executed_at", { executed_at: "soon" }, "SYNC_BAD_TIMESTAMP"],
    ["an unreadable updated_at", { updated_at: -1 }, "SYNC_BAD_TIMESTAMP"],
    ["models that are not an object", { models: "garbage" }, "SYNC_BAD_PAYLOAD"],
  ] as const;
  it.each(cases)("should not remove an entity from RECS because its snapshot row had %s", async (_label, damage, code) => {
    rig.client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 100, { "test-Army": army(2) })];
    const pipeline = rig.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(getComponentValue(rig.components.Army, paddedId(2) as Entity)?.x).toBe(2);
    // The server still holds entity 2; only one field of its row is malformed (updated_at is not even read for versions).
    rig.client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), { ...rawEntity(2, 110, { "test-Army": army(3) }), ...damage }];
    await Promise.all([pipeline.forceReplay(), vi.advanceTimersByTimeAsync(1_000)]);
    expect(pipeline.metrics().rejectedByCode[code]).toBeGreaterThan(0);
    // Stale (x = 2) is acceptable, gone is not: the entity exists on the server.
    expect(getComponentValue(rig.components.Army, paddedId(2) as Entity)).toBeDefined();
  });

  it("should not remove an entity from RECS because the models getter of its snapshot row threw", async () => {
    rig.client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 100, { "test-Army": army(2) })];
    const pipeline = rig.start();
    await vi.advanceTimersByTimeAsync(100);
    const hostile: Record<string, unknown> = { ...rawEntity(2, 110, { "test-Army": army(3) }) };
    Object.defineProperty(hostile, "models", { enumerable: true, get: () => { throw new TypeError("boom"); } });
    rig.client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), hostile];
    await Promise.all([pipeline.forceReplay(), vi.advanceTimersByTimeAsync(1_000)]);
    expect(pipeline.metrics().rejectedByCode.SYNC_BAD_PAYLOAD).toBeGreaterThan(0);
    expect(getComponentValue(rig.components.Army, paddedId(2) as Entity)?.x).toBe(2);
  });
});

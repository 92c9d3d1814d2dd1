import { describe, expect, it, vi } from "vitest";
import { memoryPipelines } from "../support/memory-pipeline";
import { rawEntity, ty } from "../support/ty";

// Each test here pins a bug found in review (the scenario that showed it), so it cannot come back.

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

const rig = memoryPipelines();

describe("quiet world", () => {
  it("should not replay a quiet world whose sampled row has a model the rig.client rejects", async () => {
    rig.client.rows = [rawEntity(1, 100, { "test-Army": { ...army(1), x: ty.raw("u32", "not a number") } })];
    const p = rig.start();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(p.metrics().replays).toBe(1);
    expect(p.metrics().probes).toBeGreaterThan(10);
  });
});

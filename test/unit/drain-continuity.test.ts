import { getComponentValue, type Entity } from "@dojoengine/recs";
import { describe, expect, it, vi } from "vitest";
import { memoryPipelines } from "../support/memory-pipeline";
import { paddedId, rawEntity, ty } from "../support/ty";

// Each test here pins a bug found in review (the scenario that showed it), so it cannot come back.

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const E = (id: number) => paddedId(id) as Entity;

const rig = memoryPipelines();

describe("drain continuity", () => {
  it("should drain an update that arrives right after a drain's last slice", async () => {
    rig.client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const p = rig.start();
    await vi.advanceTimersByTimeAsync(200);
    let once = true;
    p.subscribeApplied?.(() => {
      if (!once) return;
      once = false;
      queueMicrotask(() => rig.client.emit(rawEntity(2, 101, { "test-Army": army(2) })));
    });
    rig.client.emit(rawEntity(1, 101, { "test-Army": army(5) }));
    await vi.advanceTimersByTimeAsync(500);
    expect(getComponentValue(rig.components.Army, E(2))).toBeDefined();
    expect(p.metrics().queueDepth).toBe(0);
  });
});

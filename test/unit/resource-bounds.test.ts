import { describe, expect, it, vi } from "vitest";
import { memoryPipelines } from "../support/memory-pipeline";
import { rawEntity, ty } from "../support/ty";

// Each test here pins a bug found in review (the scenario that showed it), so it cannot come back.

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

const rig = memoryPipelines();

describe("resource bounds", () => {
  it("should leave no probe timer and send no page request after cancel()", async () => {
    rig.client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const p = rig.start({ guard: { heartbeatTimeoutMs: 1_000, heartbeatCheckIntervalMs: 100 } });
    await vi.advanceTimersByTimeAsync(200);
    rig.client.getEntities = () => new Promise(() => undefined);
    await vi.advanceTimersByTimeAsync(1_200);
    expect(p.metrics().probes).toBe(1);
    p.cancel();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("should keep the ledger bounded when short-lived entities come and go without a replay", async () => {
    const p = rig.start();
    await vi.advanceTimersByTimeAsync(100);
    for (let id = 1; id <= 20_000; id += 1) {
      rig.client.emit(rawEntity(id, 100 + id, { "test-Army": army(id) }));
      rig.client.emit(rawEntity(id, 101 + id, {}));
      if (id % 2_000 === 0) await vi.advanceTimersByTimeAsync(60);
    }
    await vi.advanceTimersByTimeAsync(200);
    expect(p.inspect().ledger.entities.entities).toBeLessThanOrEqual(3_601 + 2_000);
    expect(p.metrics().tombstonesPruned).toBeGreaterThan(0);
  });
});

import { getComponentValue, type Entity } from "@dojoengine/recs";
import { describe, expect, it, vi } from "vitest";
import { memoryPipelines } from "../support/memory-pipeline";
import { paddedId, rawEntity, ty } from "../support/ty";

// Each test here pins a bug found in review (the scenario that showed it), so it cannot come back.

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const E = (id: number) => paddedId(id) as Entity;
const zero = { hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0, created_at: 0, world_address: "0x0" };

const rig = memoryPipelines();

describe("replay completion", () => {
  it("should finish a replay whose page limit is above the queue's high-water mark, instead of replaying itself forever", async () => {
    rig.client.rows = Array.from({ length: 15 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i) }));
    const p = rig.start({ queue: { highWaterMark: 10 } });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(p.getState().status).toBe("streaming");
    expect(rig.components.Army.values.x.size).toBe(15);
    expect(p.metrics().replays).toBe(1);
    expect(p.metrics().overflows).toBe(0);
  });

  it("should replay again when a gap arrives while a failed replay waits to retry", async () => {
    rig.client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 100, { "test-Army": army(2) })];
    rig.client.beforePage = (index) => {
      if (index !== 1) return;
      // The second page fails; during the backoff entity 1 (already paged) changes and the stream reconnects.
      setTimeout(() => {
        rig.client.rows[0] = rawEntity(1, 200, { "test-Army": army(99) });
        rig.client.emit(zero);
      }, 10);
      throw 'status: Unavailable, message: "boom"';
    };
    const p = rig.start({ guard: { replayPageLimit: 1 }, backoff: { baseMs: 50, maxMs: 50, jitter: 0 } });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(p.getState().status).toBe("streaming");
    expect(getComponentValue(rig.components.Army, E(1))?.x).toBe(99);
  });
});

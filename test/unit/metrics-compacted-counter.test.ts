import { describe, expect, it, vi } from "vitest";
import { memoryPipelines } from "../support/memory-pipeline";
import { rawEntity, ty } from "../support/ty";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const rig = memoryPipelines();

describe("metrics().compacted is a counter", () => {
  it("should never go down: updates compacted in the replay's buffer stay counted after the buffer is released", async () => {
    rig.client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    let during = -1;
    const seen: number[] = [];
    rig.client.beforePage = (index) => {
      if (index !== 0) return;
      // While the boot pages, the stream brings 5 updates of one entity: 4 of them merge into the first (buffered).
      for (let x = 2; x <= 6; x += 1) rig.client.emit(rawEntity(1, 100 + x, { "test-Army": army(x) }));
      during = p.metrics().compacted;
    };
    const p = rig.start();
    p.store.subscribe(() => seen.push(p.metrics().compacted));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(p.getState().status).toBe("streaming");
    expect(during).toBe(4);
    // A cumulative counter a sink ships as deltas: never smaller than a value it already reported.
    expect(p.metrics().compacted).toBeGreaterThanOrEqual(during);
    for (let i = 1; i < seen.length; i += 1) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1] as number);
  });
});

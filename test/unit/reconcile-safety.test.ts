import { describe, expect, it, vi } from "vitest";
import { memoryPipelines } from "../support/memory-pipeline";
import { rawEntity, ty } from "../support/ty";

// Each test here pins a bug found in review (the scenario that showed it), so it cannot come back.

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const structure = (level: number) => ({ owner: ty.address(2n), category: ty.enum("C", "Realm"), level: ty.u8(level), guard: ty.struct("G", { count: ty.u128(5n), tier: ty.enum("T", "T1") }) });

const rig = memoryPipelines();

describe("reconcile safety", () => {
  it("should not mass-delete on an empty snapshot when entities carry two models each", async () => {
    rig.client.rows = Array.from({ length: 30 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i), "test-Structure": structure(1) }));
    const p = rig.start();
    await vi.advanceTimersByTimeAsync(200);
    rig.client.rows = [];
    await p.forceReplay();
    expect(rig.components.Army.values.x.size).toBe(30);
    expect(rig.components.Structure.values.level.size).toBe(30);
    expect(p.metrics().reconcileSkipped).toBe(1);
  });

  it("should page everything again when the buffer overflowed during a replay, and remove nothing that lives", async () => {
    rig.client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    rig.client.beforePage = (index) => {
      if (index !== 0) return;
      // While the boot pages, ids 2..5 appear on the server after the snapshot's read point; the stream reports them.
      for (let id = 2; id <= 5; id += 1) rig.client.emit(rawEntity(id, 101, { "test-Army": army(id) }));
      for (let id = 2; id <= 5; id += 1) rig.client.rows.push(rawEntity(id, 101, { "test-Army": army(id) }));
    };
    const p = rig.start({ queue: { highWaterMark: 3 } });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(p.getState().status).toBe("streaming");
    expect(rig.components.Army.values.x.size).toBe(5);
    expect(p.metrics().reconciled).toBe(0);
  });

  it("should not resume a failed attempt on a buffer that overflowed: the retry subscribes afresh and succeeds", async () => {
    rig.client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(6, 100, { "test-Army": army(6) })];
    let failOnce = true;
    rig.client.beforePage = (index) => {
      if (index === 0) {
        // While the boot pages, the stream reports more than the buffer holds: it overflows.
        for (let id = 2; id <= 5; id += 1) rig.client.emit(rawEntity(id, 101, { "test-Army": army(id) }));
        for (let id = 2; id <= 5; id += 1) rig.client.rows.push(rawEntity(id, 101, { "test-Army": army(id) }));
      }
      // The next page fails once: the attempt ends mid-paging, its streams intact but its buffer overflowed.
      if (index === 1 && failOnce) {
        failOnce = false;
        throw new Error("status: Unavailable");
      }
    };
    const failures: string[] = [];
    const p = rig.start({ queue: { highWaterMark: 3 }, guard: { replayPageLimit: 1 }, backoff: { baseMs: 50, maxMs: 50, jitter: 0 } });
    p.subscribeEvents((event) => {
      if (event.type === "replay_failed") failures.push(event.code);
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(p.getState().status).toBe("streaming");
    expect(rig.components.Army.values.x.size).toBe(6);
    // One failure (the page); resuming on the overflowed buffer failed a second time, at its release.
    expect(failures).toEqual(["SYNC_TORII_ERROR"]);
  });
});

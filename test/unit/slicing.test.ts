import { describe, expect, it } from "vitest";
import type { Timers } from "../../src/core/clock";
import type { IntakeSink } from "../../src/core/ports";
import { Slicer } from "../../src/core/util/slicer";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import { createToriiSource } from "../../src/torii/source";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

/**
 * A clock that moves only as the code reads it: each read is `costMs` of work done. With it a test sees exactly where
 * long loops yield, whatever the machine's speed. Yields run on the real event loop (setImmediate) and are counted.
 */
function workClock(costMs: number) {
  let clock = 0;
  const state = { yields: 0, onYield: undefined as (() => void) | undefined, yieldedFrom: [] as string[] };
  const timers: Timers = {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    now: () => clock,
    monotonic: () => (clock += costMs),
    defer: (callback) => {
      state.yields += 1;
      state.yieldedFrom.push(new Error().stack ?? "");
      state.onYield?.();
      setImmediate(callback);
    },
  };
  return { timers, state };
}

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const quietPage = { onVisibilityChange: () => () => undefined, onOnline: () => () => undefined };

function countingSink(): IntakeSink & { ended: string[] } {
  const ended: string[] = [];
  return {
    ended,
    write: () => undefined,
    deleteModel: () => undefined,
    deleteEntity: () => undefined,
    gap: () => undefined,
    reject: () => undefined,
    entityEnd: (_scope, entityId) => void ended.push(entityId),
    closedStream: () => undefined,
  };
}

describe("Slicer", () => {
  it("should say a slice is spent only once its budget has passed, reading the clock every few items", async () => {
    const { timers, state } = workClock(0.05);
    const slicer = new Slicer(timers, 4);
    let pauses = 0;
    for (let item = 0; item < 10_000; item += 1) {
      if (slicer.due()) {
        pauses += 1;
        await slicer.pause();
      }
    }
    // 10,000 items read the clock 312 times; 4 ms of clock is 80 reads, so a slice is ≈ 80 × 32 items.
    expect(pauses).toBe(state.yields);
    expect(pauses).toBeGreaterThanOrEqual(3);
    expect(pauses).toBeLessThanOrEqual(5);
  });
});

describe("Slicer and a cancel", () => {
  it("should reject the pause after which its owner is gone, so a long walk stops there", async () => {
    const { timers, state } = workClock(0.05);
    let cancelled = false;
    state.onYield = () => (cancelled = true);
    const slicer = new Slicer(timers, 4, () => cancelled);
    let walked = 0;
    const walk = async () => {
      for (let item = 0; item < 10_000; item += 1) {
        walked += 1;
        if (slicer.due()) await slicer.pause();
      }
    };
    await expect(walk()).rejects.toMatchObject({ code: "SYNC_CANCELLED" });
    expect(state.yields).toBe(1);
    expect(walked).toBeLessThan(10_000 / 3);
  });
});

describe("a snapshot page is read in slices", () => {
  const rows = Array.from({ length: 2_000 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i) }));

  it("should decode every entity of a big page, in order, yielding between slices", async () => {
    const client = new MemoryToriiClient();
    client.rows = rows;
    const { timers, state } = workClock(0.5);
    const source = createToriiSource(client, { timers });
    const sink = countingSink();
    const page = await source.fetchPage("entities", undefined, 5_000, sink);
    expect(page.rows).toBe(2_000);
    expect(sink.ended).toHaveLength(2_000);
    expect(sink.ended).toEqual([...sink.ended].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
    expect(state.yields).toBeGreaterThan(1);
  });

  it("should stop reading a page the pipeline cancelled between two slices", async () => {
    const client = new MemoryToriiClient();
    client.rows = rows;
    const { timers, state } = workClock(0.1);
    const source = createToriiSource(client, { timers });
    state.onYield = () => source.cancelPending();
    const sink = countingSink();
    await expect(source.fetchPage("entities", undefined, 5_000, sink)).rejects.toMatchObject({ code: "SYNC_CANCELLED" });
    expect(sink.ended.length).toBeGreaterThan(0);
    expect(sink.ended.length).toBeLessThan(2_000);
  });
});

describe("reconciliation at scale is sliced", () => {
  it("should walk 3,000 entities and remove the ones the snapshot lost in several slices, with the same result", async () => {
    const client = new MemoryToriiClient();
    client.rows = Array.from({ length: 3_000 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i) }));
    const { timers, state } = workClock(0.2);
    const { world, components } = createTestWorld();
    const pipeline = createSyncPipeline({ client, world, components, timers, environment: quietPage, logging: false, guard: { replayPageLimit: 10_000 } });
    await pipeline.start();
    expect(components.Army.values.x.size).toBe(3_000);
    // A tenth of the world died on chain while the client was not looking; the next replay's snapshot lacks it.
    client.rows = client.rows.filter((_, i) => i % 10 !== 0);
    state.yieldedFrom = [];
    await pipeline.forceReplay();
    expect(components.Army.values.x.size).toBe(2_700);
    expect(pipeline.metrics().reconciled).toBe(300);
    // The walk yielded by itself, not only the drain around it.
    expect(state.yieldedFrom.filter((stack) => /planRemovals|reconcile/.test(stack)).length).toBeGreaterThan(3);
    pipeline.cancel();
  });
});

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

/**
 * A clock that moves only with the work the test says it did (`work(ms)`); reading it costs nothing and is counted.
 * Yields run on the real event loop (setImmediate) and are counted.
 */
function itemClock() {
  let clock = 0;
  const state = { reads: 0, yields: 0 };
  const timers: Timers = {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    now: () => clock,
    monotonic: () => {
      state.reads += 1;
      return clock;
    },
    defer: (callback) => {
      state.yields += 1;
      setImmediate(callback);
    },
  };
  return { timers, state, work: (ms: number) => void (clock += ms) };
}

/** Run `costs.length` items of the given costs (ms) through a Slicer of `budgetMs`; the work each slice held the thread. */
async function sliceItems(costs: readonly number[], budgetMs: number): Promise<{ slices: number[]; reads: number; yields: number }> {
  const { timers, state, work } = itemClock();
  const slicer = new Slicer(timers, budgetMs);
  const slices: number[] = [];
  let held = 0;
  for (const cost of costs) {
    work(cost);
    held += cost;
    if (slicer.due()) {
      slices.push(held);
      held = 0;
      await slicer.pause();
    }
  }
  slices.push(held);
  return { slices, reads: state.reads, yields: state.yields };
}

describe("Slicer", () => {
  it("should say a slice is spent once its budget has passed, reading the clock every few items", async () => {
    // 10,000 items of 0.05 ms: 500 ms of work in slices of 4 ms.
    const { slices, reads, yields } = await sliceItems(new Array<number>(10_000).fill(0.05), 4);
    expect(yields).toBe(slices.length - 1);
    expect(slices.length).toBeGreaterThanOrEqual(110);
    expect(slices.length).toBeLessThanOrEqual(126);
    // A slice overshoots its budget by less than a stride of items (at most 8 of them here).
    expect(Math.max(...slices)).toBeLessThanOrEqual(4 + 8 * 0.05 + 1e-9);
    // The clock is read about every 0.25 ms of work (every 4–5 items here), plus once as each slice starts: not per item.
    expect(reads).toBeLessThanOrEqual(10_000 / 4 + slices.length + 1);
  });

  it("should catch slow items within a slice's budget: the clock is read sooner when items cost more", async () => {
    // Items of 0.6 ms from the start (code that runs unoptimised, or big entities): a fixed count of 32 items between
    // reads held the thread 19 ms per slice; sized from the measured cost, a slice ends on the first item past 4 ms.
    const slow = await sliceItems(new Array<number>(200).fill(0.6), 4);
    expect(Math.max(...slow.slices)).toBeLessThanOrEqual(4 + 0.6 + 1e-9);
    // Items that turn slow mid-slice overshoot by at most a stride (8 items) of them.
    const turning = await sliceItems([...new Array<number>(5_000).fill(0.001), ...new Array<number>(200).fill(0.3)], 4);
    expect(Math.max(...turning.slices)).toBeLessThanOrEqual(4 + 8 * 0.3 + 1e-9);
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

describe("a drain is sliced by what its entities cost", () => {
  it("should end a slice near its budget when each entity takes long to write, not a fixed count of entities later", async () => {
    const { timers, state, work } = itemClock();
    const client = new MemoryToriiClient();
    const { world, components } = createTestWorld();
    const pipeline = createSyncPipeline({ client, world, components, timers, environment: quietPage, logging: false });
    await pipeline.start();
    // Every RECS write is 0.5 ms of work (a slow game listener, or code V8 runs unoptimised): 8 fit a 4 ms slice.
    const writesPerTurn: number[] = [];
    const subscription = components.Army.update$.subscribe(() => {
      work(0.5);
      writesPerTurn[state.yields] = (writesPerTurn[state.yields] ?? 0) + 1;
    });
    for (let i = 0; i < 120; i += 1) client.emit(rawEntity(i + 1, 200, { "test-Army": army(i) }));
    // The drain starts once the stream is calm (a turn without arrivals) and yields between slices: let turns pass.
    for (let turn = 0; turn < 1_000 && components.Army.values.x.size < 120; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    subscription.unsubscribe();
    expect(components.Army.values.x.size).toBe(120);
    const slices = writesPerTurn.filter((writes) => writes !== undefined);
    expect(slices.length).toBeGreaterThan(10);
    // Each slice holds at most its budget and one read's stride of slow writes: 16 at a time (every 16th entity read the
    // clock before) held 8 ms.
    expect(Math.max(...slices) * 0.5).toBeLessThanOrEqual(4 + 0.5);
    pipeline.cancel();
  });
});

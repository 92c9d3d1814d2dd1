import { afterEach, describe, expect, it, vi } from "vitest";
import type { Timers } from "../../src/core/clock";
import { normalizeEntityId } from "../../src/core/entity-id";
import { createDropRecorder } from "../../src/core/drops";
import { UpdateQueue, type PendingEntity, type VersionedChange } from "../../src/core/queue";
import { packVersion } from "../../src/core/version";
import { ty } from "../support/ty";

const fakeTimers: Timers = {
  setTimeout: (cb, ms) => setTimeout(cb, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};
const id = (n: number) => normalizeEntityId(`0x${n.toString(16)}`);
const write = (model: string, seconds: number, members: Record<string, number>): VersionedChange => ({
  kind: "write",
  model,
  version: packVersion(seconds),
  members: new Map(Object.entries(members).map(([name, value]) => [name, ty.u32(value)])),
});

function collectingQueue(config = {}) {
  const applied: PendingEntity[] = [];
  const overflows: number[] = [];
  const drops = createDropRecorder();
  const queue = new UpdateQueue({ config, timers: fakeTimers, drops, apply: (items) => applied.push(...items), onOverflow: (n) => overflows.push(n) });
  return { queue, applied, overflows, drops };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("UpdateQueue", () => {
  it("should hold at most one item per entity however many updates arrive", () => {
    const { queue } = collectingQueue();
    for (let i = 0; i < 1000; i += 1) queue.enqueue(id(i % 10), "entities", i, [write("ns-Army", i, { x: i })]);
    expect(queue.size).toBe(10);
    expect(queue.counters.compacted).toBe(990);
    queue.close();
  });

  it("should merge partial members field by field, newest wins, and keep an older member that nothing newer replaced", () => {
    const { queue, drops } = collectingQueue();
    queue.pause();
    queue.enqueue(id(1), "entities", 10, [write("ns-Army", 10, { x: 1, y: 1 })]);
    queue.enqueue(id(1), "entities", 12, [write("ns-Army", 12, { x: 2 })]);
    queue.enqueue(id(1), "entities", 11, [write("ns-Army", 11, { x: 9, troops: 5 })]);
    const [item] = queue.takeAll();
    const members = item?.models.get("ns-Army")?.members;
    expect(members?.get("x")?.value.value).toBe(2);
    expect(members?.get("y")?.value.value).toBe(1);
    expect(members?.get("troops")?.value.value).toBe(5);
    expect(drops.counts.superseded).toBe(1);
  });

  it("should let a delete replace older pending writes and keep newer ones", () => {
    const { queue } = collectingQueue();
    queue.pause();
    queue.enqueue(id(1), "entities", 10, [write("ns-Army", 10, { x: 1 })]);
    queue.enqueue(id(1), "entities", 12, [write("ns-Army", 12, { y: 2 })]);
    queue.enqueue(id(1), "entities", 11, [{ kind: "deleteModel", model: "ns-Army", version: packVersion(11) }]);
    queue.enqueue(id(1), "entities", 9, [write("ns-Army", 9, { troops: 3 })]);
    const pending = queue.takeAll()[0]?.models.get("ns-Army");
    expect(pending?.deleteAt).toBe(packVersion(11));
    expect([...(pending?.members.keys() ?? [])]).toEqual(["y"]);
  });

  it("should let a whole-entity delete wipe pending changes no newer than it", () => {
    const { queue } = collectingQueue();
    queue.pause();
    queue.enqueue(id(1), "entities", 10, [write("ns-Army", 10, { x: 1 }), write("ns-Tile", 30, { biome: 1 })]);
    queue.enqueue(id(1), "entities", 20, [{ kind: "deleteEntity", version: packVersion(20) }]);
    const item = queue.takeAll()[0];
    expect(item?.entityDeleteAt).toBe(packVersion(20));
    expect([...(item?.models.keys() ?? [])]).toEqual(["ns-Tile"]);
  });

  it("should drop the backlog and emit overflow past the high-water mark, never growing beyond it", () => {
    const { queue, overflows } = collectingQueue({ highWaterMark: 100 });
    queue.pause();
    for (let i = 0; i < 250; i += 1) queue.enqueue(id(i), "entities", 1, [write("ns-Army", 1, { x: i })]);
    expect(overflows).toEqual([100, 100]);
    expect(queue.size).toBe(50);
    expect(queue.counters.highWater).toBe(100);
    queue.close();
  });

  it("should drain on a debounce after the first enqueue", async () => {
    vi.useFakeTimers();
    const { queue, applied } = collectingQueue({ debounceMs: 50 });
    queue.enqueue(id(1), "entities", 1, [write("ns-Army", 1, { x: 1 })]);
    await vi.advanceTimersByTimeAsync(49);
    expect(applied).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(applied).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    queue.close();
  });

  it("should drain a large backlog in time slices, yielding between them", async () => {
    let now = 0;
    let yields = 0;
    const slices: number[] = [];
    const queue = new UpdateQueue({
      config: { sliceBudgetMs: 8 },
      drops: createDropRecorder(),
      timers: {
        ...fakeTimers,
        now: () => now,
        setTimeout: (cb, ms) => {
          if (ms === 0) yields += 1;
          return setTimeout(cb, ms);
        },
      },
      apply: (items) => {
        slices.push(items.length);
        now += items.length * 0.01; // 10 µs per item: a 256-item chunk costs 2.56 ms
      },
    });
    queue.pause();
    for (let i = 0; i < 5000; i += 1) queue.enqueue(id(i), "entities", 1, [write("ns-Army", 1, { x: i })]);
    await queue.flush();
    expect(slices.reduce((a, b) => a + b, 0)).toBe(5000);
    // 20 chunks of ≤ 256 items at 2.56 ms each and an 8 ms budget: 4 chunks (10.24 ms) per slice → 5 slices, 4 yields.
    expect(slices).toHaveLength(20);
    expect(yields).toBe(4);
    queue.close();
  });

  it("should re-merge an absorbed item behind pending ones", () => {
    const source = collectingQueue();
    const target = collectingQueue();
    source.queue.pause();
    target.queue.pause();
    source.queue.enqueue(id(1), "entities", 12, [write("ns-Army", 12, { x: 2 }), { kind: "deleteModel", model: "ns-Tile", version: packVersion(5) }]);
    target.queue.enqueue(id(1), "entities", 11, [write("ns-Army", 11, { x: 1, y: 1 })]);
    for (const item of source.queue.takeAll()) target.queue.absorb(item);
    const item = target.queue.takeAll()[0];
    expect(item?.models.get("ns-Army")?.members.get("x")?.value.value).toBe(2);
    expect(item?.models.get("ns-Army")?.members.get("y")?.value.value).toBe(1);
    expect(item?.models.get("ns-Tile")?.deleteAt).toBe(packVersion(5));
  });
});

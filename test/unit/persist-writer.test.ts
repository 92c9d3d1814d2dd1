import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it, vi } from "vitest";
import type { Timers } from "../../src/core/clock";
import type { AdmittedChange } from "../../src/core/ports";
import { openSyncCache, type SyncCache } from "../../src/persist/cache";
import { createFakeTime, turns, until, write } from "./persist-fakes";
import { ReferenceState } from "./persist-reference";

const IDENTITY = { fingerprint: "schema-a", packageVersion: "1.0.0" };

async function open(factory: IDBFactory, timers: Timers): Promise<SyncCache> {
  const cache = await openSyncCache({ name: "cache", identity: IDENTITY, indexedDB: factory, timers });
  if (cache === undefined) throw new Error("the cache did not open");
  return cache;
}

/** Entities 1..n, each with two models, every member written at `at` with the value `at`. */
function generation(n: number, at: number): AdmittedChange[] {
  return Array.from({ length: n }, (_, i) => [write(i + 1, "ns-Army", { hp: [at, at], x: [at, at] }), write(i + 1, "ns-Tile", { owner: [at, at] })]).flat();
}

async function hydrate(cache: SyncCache): Promise<ReferenceState> {
  const state = new ReferenceState();
  await cache.hydrate((scope, messages) => state.applyMessages(scope, messages));
  return state;
}

/** Entity rows read (a `get` by `[scope, entityId]`) while `work` runs. */
async function entityReadsDuring(work: () => Promise<void>): Promise<number> {
  const gets = vi.spyOn(IDBObjectStore.prototype, "get");
  try {
    await work();
    return gets.mock.calls.filter(([key]) => Array.isArray(key)).length;
  } finally {
    gets.mockRestore();
  }
}

describe("the cache writer", () => {
  it("should move the watermark only when told, with watermark: explicit (pages land in any order)", async () => {
    const time = createFakeTime();
    const cache = await open(new IDBFactory(), time.tab());
    const writer = cache.createWriter({ watermark: "explicit", flushIntervalMs: 0 });
    writer.note([write(1, "ns-Army", { hp: [1, 300] })]);
    await writer.flush();
    expect(await cache.readWatermark()).toBeUndefined();
    expect(cache.counters().entitiesWritten).toBe(1);
    writer.noteWatermark(120);
    await writer.flush();
    expect(await cache.readWatermark()).toMatchObject({ executedAt: 120 });
    expect(cache.counters().watermarkWritten).toBe(120);
  });

  it("should write a flush in slices of about the budget, one transaction each, the watermark with the last", async () => {
    // Each read of the slice clock moves it 1 ms: with a 4 ms budget a slice has time for 3 entities.
    const time = createFakeTime(1_700_000_000_000, 1);
    const cache = await open(new IDBFactory(), time.tab());
    const writer = cache.createWriter({ sliceBudgetMs: 4 });
    writer.note(generation(30, 100));
    expect(writer.pending).toBe(30);
    await writer.flush();
    expect(writer.pending).toBe(0);
    const counters = cache.counters();
    // One row per entity, its two models inside.
    expect(counters).toMatchObject({ flushes: 1, writeSlices: 10, entitiesWritten: 30, recordsWritten: 30 });
    // A slice stops once it reached the budget: it overshoots by at most one entity's work (here 1 ms).
    expect(counters.longestWriteSliceMs).toBeLessThanOrEqual(4 + 1);
    expect(await cache.readWatermark()).toMatchObject({ executedAt: 100 });
  });

  it("should read ahead no more entities than a slice has time to write once it knows what a slice costs", async () => {
    // Each read of the slice clock moves it 1 ms: with a 4 ms budget a slice writes 3 entities and fills its budget.
    const time = createFakeTime(1_700_000_000_000, 1);
    const cache = await open(new IDBFactory(), time.tab());
    const writer = cache.createWriter({ sliceBudgetMs: 4 });
    writer.note(generation(30, 100));
    const entityReads = await entityReadsDuring(() => writer.flush());
    expect(cache.counters()).toMatchObject({ writeSlices: 10, entitiesWritten: 30 });
    // The first slice reads all 30 (it knows nothing yet) and writes 3; the other 9 read the 3 they write. A slice that
    // used its whole budget must not double its reads (they are part of the slice's time): that re-read 3 of 6 each time.
    expect(entityReads).toBe(30 + 27);
    cache.close();
  });

  it("should not grow its read-ahead on small flushes, which say nothing of what a big one costs", async () => {
    // 1 ms per read of the slice clock, an 8 ms budget: a slice has time for 7 entities.
    const time = createFakeTime(1_700_000_000_000, 1);
    const cache = await open(new IDBFactory(), time.tab());
    const writer = cache.createWriter({ sliceBudgetMs: 8, flushIntervalMs: 0 });
    // A trickle: five flushes of one entity each, every one written well within its budget.
    for (let i = 1; i <= 5; i += 1) {
      writer.note([write(i, "ns-Army", { hp: [i, 100] })]);
      await writer.flush();
    }
    writer.note(generation(100, 200));
    const entityReads = await entityReadsDuring(() => writer.flush());
    expect(cache.counters().entitiesWritten).toBe(105);
    // The first slice of the burst reads the first read-ahead (64) and writes 7; then 13 slices read and write 7,
    // and the last reads the 2 left. Grown on the trickle, it would have read all 100 at once.
    expect(entityReads).toBe(64 + 13 * 7 + 2);
    cache.close();
  });

  it("should read what an entity holds in one request, whatever the models it changed (a request is a round trip)", async () => {
    const time = createFakeTime();
    const cache = await open(new IDBFactory(), time.tab());
    const writer = cache.createWriter({ flushIntervalMs: 0 });
    writer.note(generation(20, 100));
    await writer.flush();
    const gets = vi.spyOn(IDBObjectStore.prototype, "get");
    const getAlls = vi.spyOn(IDBObjectStore.prototype, "getAll");
    const slicesBefore = cache.counters().writeSlices;
    try {
      writer.note(generation(20, 200));
      await writer.flush();
      // 20 entities × 2 models: one get per entity (its row), besides each slice's identity and the watermark's own
      // transaction (identity and watermark); no range reads.
      expect(getAlls.mock.calls.length).toBe(0);
      expect(gets.mock.calls.length).toBe(20 + cache.counters().writeSlices - slicesBefore + 2);
    } finally {
      gets.mockRestore();
      getAlls.mockRestore();
    }
    expect((await hydrate(cache)).models.size).toBe(40);
    cache.close();
  });

  it("should prepare the next slice while one commits, and write the watermark only after every slice committed", async () => {
    const time = createFakeTime(1_700_000_000_000, 1);
    const cache = await open(new IDBFactory(), time.tab());
    const writer = cache.createWriter({ sliceBudgetMs: 4 });
    const events: string[] = [];
    const original = IDBDatabase.prototype.transaction;
    const transaction = vi.spyOn(IDBDatabase.prototype, "transaction").mockImplementation(function (this: IDBDatabase, ...args: Parameters<IDBDatabase["transaction"]>) {
      const made = original.apply(this, args);
      const index = events.filter((event) => event.startsWith("open")).length;
      events.push(`open ${index}`);
      made.addEventListener("complete", () => events.push(`commit ${index}`));
      return made;
    });
    try {
      writer.note(generation(30, 100));
      await writer.flush();
    } finally {
      transaction.mockRestore();
    }
    const opened = events.filter((event) => event.startsWith("open")).length;
    // 10 slices and the watermark's transaction.
    expect(opened).toBe(11);
    // Some slice opened before the one before it committed…
    expect(events.some((event, at) => event.startsWith("open ") && Number(event.slice(5)) > 0 && at < events.indexOf(`commit ${Number(event.slice(5)) - 1}`))).toBe(true);
    // …and the watermark's transaction opened after every slice committed.
    expect(events.indexOf(`open ${opened - 1}`)).toBeGreaterThan(events.indexOf(`commit ${opened - 2}`));
    expect(Math.max(...Array.from({ length: opened - 1 }, (_, i) => events.indexOf(`commit ${i}`)))).toBeLessThan(events.indexOf(`open ${opened - 1}`));
    expect(await cache.readWatermark()).toMatchObject({ executedAt: 100 });
    cache.close();
  });

  it("should write nothing until the flush interval has passed, then everything noted meanwhile at once", async () => {
    const time = createFakeTime();
    const cache = await open(new IDBFactory(), time.tab());
    const writer = cache.createWriter({ flushIntervalMs: 250 });
    for (let at = 100; at < 200; at += 1) writer.note([write(1, "ns-Army", { hp: [at, at] })]);
    time.advance(249);
    await turns(50);
    expect(cache.counters().writeSlices).toBe(0);
    time.advance(1);
    await until(() => cache.counters().flushes === 1);
    expect(cache.counters()).toMatchObject({ writeSlices: 1, entitiesWritten: 1, recordsWritten: 1 });
    // The next flush waits a full interval after the last one ended.
    writer.note([write(1, "ns-Army", { hp: [1, 300] })]);
    time.advance(200);
    await turns(50);
    expect(cache.counters().flushes).toBe(1);
    time.advance(50);
    await until(() => cache.counters().flushes === 2);
    expect((await hydrate(cache)).models.get(`entities|0x${"1".padStart(64, "0")}|ns-Army`)?.members.get("hp")?.at).toBe(300);
  });

  it("should cover with flush() everything noted before it, even while another flush is running", async () => {
    const time = createFakeTime(1_700_000_000_000, 1);
    const cache = await open(new IDBFactory(), time.tab());
    const writer = cache.createWriter({ sliceBudgetMs: 4 });
    writer.note(generation(9, 100));
    const first = writer.flush();
    writer.note([write(50, "ns-Army", { hp: [1, 150] })]);
    await writer.flush();
    await first;
    const state = await hydrate(cache);
    expect(state.models.size).toBe(19);
    expect(await cache.readWatermark()).toMatchObject({ executedAt: 150 });
  });

  it("should leave the old watermark and whole entities when the tab dies between two slices", async () => {
    const factory = new IDBFactory();
    const time = createFakeTime(1_700_000_000_000, 1);
    const before = await open(factory, time.tab());
    const first = before.createWriter({ sliceBudgetMs: 4 });
    first.note(generation(10, 100));
    await first.flush();
    before.close();

    // A tab whose event loop stops after two slices: the turn between slices never comes.
    let turnsLeft = 2;
    const dying: Timers = { ...time.tab(), defer: (callback) => void (turnsLeft-- > 0 && setImmediate(callback)) };
    const cache = await open(factory, dying);
    const writer = cache.createWriter({ sliceBudgetMs: 4 });
    writer.note(generation(10, 200));
    void writer.flush();
    await until(() => cache.counters().writeSlices === 3);
    await turns(50);
    expect(cache.counters().writeSlices).toBe(3);
    cache.close();

    const after = await open(factory, time.tab());
    expect(await after.readWatermark()).toMatchObject({ executedAt: 100 });
    const state = await hydrate(after);
    const versions = new Map<string, Set<number>>();
    for (const [key, model] of state.models) {
      const entity = key.split("|")[1] as string;
      for (const member of model.members.values()) versions.set(entity, (versions.get(entity) ?? new Set()).add(member.at));
    }
    // Every entity is wholly old or wholly new: 3 slices of 3 landed, the rest did not.
    expect([...versions.values()].map((set) => [...set])).toEqual([...Array(9).fill([200]), [100]]);
  });

  it("should drop what is noted after close and never write again", async () => {
    const time = createFakeTime();
    const cache = await open(new IDBFactory(), time.tab());
    const writer = cache.createWriter({ flushIntervalMs: 0 });
    writer.close();
    writer.note(generation(3, 100));
    await writer.flush();
    time.advance(1_000);
    expect(cache.counters().writeSlices).toBe(0);
    expect(time.pending()).toBe(0);
  });

  it("should raise the watermark to what the engine says, never lower it", async () => {
    const time = createFakeTime();
    const cache = await open(new IDBFactory(), time.tab());
    const writer = cache.createWriter();
    writer.note([write(1, "ns-Army", { hp: [1, 100] })]);
    writer.noteWatermark(140);
    await writer.flush();
    expect(await cache.readWatermark()).toMatchObject({ executedAt: 140 });
    const later = cache.createWriter();
    later.note([write(2, "ns-Army", { hp: [1, 90] })]);
    await later.flush();
    expect(await cache.readWatermark()).toMatchObject({ executedAt: 140 });
  });
});

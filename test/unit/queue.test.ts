import { createWorld, defineComponent, Type as RecsType } from "@dojoengine/recs";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Timers } from "../../src/core/clock";
import { DRAIN_DEFAULTS, DrainScheduler, type DrainConfig } from "../../src/core/drain";
import { createDropRecorder } from "../../src/core/drops";
import { normalizeEntityId } from "../../src/core/entity-id";
import { PAGE_MASK, PAGE_SIZE, pageOf } from "../../src/core/pending-columns";
import { PendingStore, type PendingColumns } from "../../src/core/pending-store";
import { packVersion } from "../../src/core/version";
import { bindComponents } from "../../src/core/writer/bindings";
import { ty } from "../support/ty";

const id = (n: number) => normalizeEntityId(`0x${n.toString(16)}`);
const world = createWorld();
const layout = [
  ...bindComponents([
    defineComponent(world, { x: RecsType.Number, y: RecsType.Number, troops: RecsType.Number }, { metadata: { namespace: "ns", name: "Army" } }),
    defineComponent(world, { biome: RecsType.Number }, { metadata: { namespace: "ns", name: "Tile" } }),
  ]).values(),
];
const ARMY = 0;
const TILE = 1;
const members = (values: Record<string, number>) => Object.fromEntries(Object.entries(values).map(([name, value]) => [name, ty.u32(value)]));

function store(highWaterMark = 100_000) {
  const drops = createDropRecorder();
  const overflows: number[] = [];
  const pending = new PendingStore(layout, { highWaterMark, drops, onOverflow: (n) => overflows.push(n) });
  /** Write `values` to a model of entity `n` at block time `at` (the version is the block time). */
  const write = (n: number, model: number, at: number, values: Record<string, number>) =>
    pending.mergeWrite(pending.slotFor("entities", id(n), at), model, members(values), packVersion(at), packVersion(at));
  /** What is pending for one model of the only entity, member by member (`value`s). */
  const pendingOf = (model: number) => {
    const slot = pending.slotFor("entities", id(1), 0);
    const row = pending.rowAt(slot, model);
    const columns = pending.columns[model] as PendingColumns;
    const out: Record<string, unknown> = {};
    if (row < 0) return { members: out, deleteAt: undefined };
    const page = pageOf(columns, row);
    layout[model]?.fields.forEach((field, column) => {
      const cell = (row & PAGE_MASK) * columns.width + column;
      if (page.versions[cell] === page.versions[cell]) out[field] = (page.values[cell] as { value: unknown }).value;
    });
    return { members: out, deleteAt: page.deleteAt[row & PAGE_MASK] };
  };
  return { pending, drops, overflows, write, pendingOf };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("PendingStore: a write's members, read by the schema's names", () => {
  it("should count members the schema lacks, with the decoder's count or without it, never an inherited property", () => {
    const { pending, pendingOf } = store();
    const slot = pending.slotFor("entities", id(1), 10);
    // `y` is only inherited (from the object's prototype): not one of this write's members, and not queued.
    const write = Object.assign(Object.create(members({ y: 9 })) as Record<string, unknown>, members({ x: 1, troops: 5 }), { level: ty.u32(3) });
    expect(pending.mergeWrite(slot, ARMY, write, packVersion(10), packVersion(10), 3)).toBe(1);
    expect(pending.mergeWrite(slot, ARMY, write, packVersion(10), packVersion(10))).toBe(1);
    expect(pendingOf(ARMY).members).toEqual({ x: 1, troops: 5 });
  });

  it("should take an own key holding undefined for the schema's member, with nothing to queue, in an uncounted write", () => {
    const { pending, pendingOf } = store();
    const slot = pending.slotFor("entities", id(1), 10);
    const write = { ...members({ x: 1 }), y: undefined };
    expect(pending.mergeWrite(slot, ARMY, write, packVersion(10), packVersion(10))).toBe(0);
    expect(pendingOf(ARMY).members).toEqual({ x: 1 });
  });
});

describe("PendingStore: it only coalesces", () => {
  it("should hold at most one entry per entity however many updates arrive", () => {
    const { pending, write } = store();
    for (let i = 0; i < 1000; i += 1) write(i % 10, ARMY, i, { x: i });
    expect(pending.size).toBe(10);
    expect(pending.compacted).toBe(990);
  });

  it("should keep pending members in fixed-size pages, so no column is copied or outgrown as the queue grows", () => {
    const { pending, write } = store();
    const entities = PAGE_SIZE * 12 + 5;
    for (let n = 0; n < entities; n += 1) write(n, ARMY, 1, { x: n, y: n });
    const columns = pending.columns[ARMY] as PendingColumns;
    expect(columns.rows).toBe(entities);
    // Each page is the same few KB however big the queue gets: growing allocates one more page, never a bigger array.
    expect(columns.pages.length).toBe(Math.ceil(entities / PAGE_SIZE));
    for (const page of columns.pages) {
      expect(page.versions.length).toBe(PAGE_SIZE * columns.width);
      expect(page.ats.length).toBe(PAGE_SIZE * columns.width);
      expect(page.values.length).toBe(PAGE_SIZE * columns.width);
      expect(page.deleteAt.length).toBe(PAGE_SIZE);
    }
    // And what is pending is still found where it was put, across pages.
    const last = pending.slotFor("entities", id(entities - 1), 1);
    const row = pending.rowAt(last, ARMY);
    const cell = (row & PAGE_MASK) * columns.width + (layout[ARMY]?.fields.indexOf("x") as number);
    expect((pageOf(columns, row).values[cell] as { value: unknown }).value).toBe(entities - 1);
  });

  it("should merge partial members field by field, newest wins, and keep an older member that nothing newer replaced", () => {
    const { write, pendingOf, drops } = store();
    write(1, ARMY, 10, { x: 1, y: 1 });
    write(1, ARMY, 12, { x: 2 });
    write(1, ARMY, 11, { x: 9, troops: 5 });
    expect(pendingOf(ARMY).members).toEqual({ x: 2, y: 1, troops: 5 });
    expect(drops.counts.superseded).toBe(1);
  });

  it("should let a delete replace older pending writes and keep newer ones", () => {
    const { pending, write, pendingOf } = store();
    write(1, ARMY, 10, { x: 1 });
    write(1, ARMY, 12, { y: 2 });
    pending.mergeModelDelete(pending.slotFor("entities", id(1), 11), ARMY, packVersion(11));
    write(1, ARMY, 9, { troops: 3 });
    expect(pendingOf(ARMY)).toEqual({ members: { y: 2 }, deleteAt: packVersion(11) });
  });

  it("should let a whole-entity delete wipe pending changes no newer than it", () => {
    const { pending, write, pendingOf } = store();
    write(1, ARMY, 10, { x: 1 });
    write(1, TILE, 30, { biome: 1 });
    const slot = pending.slotFor("entities", id(1), 20);
    pending.mergeEntityDelete(slot, packVersion(20));
    expect(pending.entityDeleteAtOf(slot)).toBe(packVersion(20));
    expect(pendingOf(ARMY).members).toEqual({});
    expect(pendingOf(TILE).members).toEqual({ biome: 1 });
  });

  it("should drop the backlog and emit overflow past the high-water mark, never growing beyond it", () => {
    const { pending, write, overflows, drops } = store(100);
    for (let i = 0; i < 250; i += 1) write(i, ARMY, 1, { x: i });
    expect(overflows).toEqual([100, 100]);
    expect(pending.size).toBe(50);
    expect(pending.highWater).toBe(100);
    expect(drops.counts.overflow).toBe(200);
  });

  it("should hand entities over in arrival order, and move a buffer behind what another store holds", () => {
    const buffer = store();
    const main = store();
    buffer.write(1, ARMY, 12, { x: 2 });
    buffer.pending.mergeModelDelete(buffer.pending.slotFor("entities", id(1), 5), TILE, packVersion(5));
    main.write(1, ARMY, 11, { x: 1, y: 1 });
    main.write(2, ARMY, 11, { x: 1 });
    buffer.pending.moveInto(main.pending);
    expect(buffer.pending.size).toBe(0);
    expect(main.pendingOf(ARMY).members).toEqual({ x: 2, y: 1 });
    expect(main.pendingOf(TILE).deleteAt).toBe(packVersion(5));
    const order: string[] = [];
    main.pending.drain((slot) => order.push(main.pending.ids[slot] as string), () => false);
    expect(order).toEqual([id(1), id(2)]);
  });
});

describe("DrainScheduler: when the queue drains", () => {
  /** Node's timers under fake time: a zero-delay timer waits a millisecond (Node's clamp), the clocks are Date.now. */
  const fakeTimers: Timers = {
    setTimeout: (cb, ms) => setTimeout(cb, Math.max(ms, 1)),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    now: () => Date.now(),
    monotonic: () => Date.now(),
    defer: (cb) => setImmediate(cb),
  };

  /** A scheduler over a counter of pending items: each slice drains up to `perSlice` of them. */
  function scheduler(config: Partial<DrainConfig> = {}, timers: Timers = fakeTimers) {
    let pending = 0;
    const slices: number[] = [];
    const sliceTimes: number[] = [];
    const drain = new DrainScheduler({ ...DRAIN_DEFAULTS, ...config }, timers, (overdue) => {
      let drained = 0;
      sliceTimes.push(Date.now());
      while (pending > 0 && !overdue()) {
        pending -= 1;
        drained += 1;
      }
      slices.push(drained);
      return pending > 0;
    });
    return {
      drain,
      slices,
      sliceTimes,
      /** `count` updates arrive, one message each (as a socket hands them over). */
      arrive(count = 1) {
        for (let i = 0; i < count; i += 1) {
          pending += 1;
          drain.noteArrival();
        }
      },
      get pending() {
        return pending;
      },
    };
  }

  it("should drain at once when the stream is calm: one turn without arrivals", async () => {
    vi.useFakeTimers();
    const s = scheduler();
    s.arrive();
    // The check (after Node's 1 ms clamp) finds the stream calm; the drain runs in the very next task.
    await vi.advanceTimersByTimeAsync(1);
    expect(s.slices).toEqual([]);
    await vi.advanceTimersToNextTimerAsync();
    expect(s.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("should wait while a burst keeps arriving turn after turn, so each entity is written once", async () => {
    vi.useFakeTimers();
    const s = scheduler();
    // 1,000 updates a millisecond (a socket handing over a burst frame by frame) for 500 ms.
    for (let turn = 0; turn < 500; turn += 1) {
      s.arrive(1000);
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(s.slices).toEqual([]);
    // The burst is over: one quiet turn and it drains, all of it.
    await vi.advanceTimersByTimeAsync(2);
    expect(s.slices.length).toBeGreaterThan(0);
    expect(s.pending).toBe(0);
  });

  it("should take 1,000 arrivals in a turn for a burst even when a loaded CPU makes each turn last 60 ms", async () => {
    vi.useFakeTimers();
    // 1,000 updates every 60 ms, read while the clock runs (the check waits behind the frame): about 17 a millisecond,
    // under burstRate, but each turn hands over a burst frame.
    const run = async (config: Partial<DrainConfig>) => {
      const s = scheduler(config);
      for (let turn = 0; turn < 10; turn += 1) {
        s.arrive(1000);
        vi.setSystemTime(Date.now() + 59);
        await vi.advanceTimersByTimeAsync(1);
      }
      return s;
    };
    expect((await run({ burstTurn: Infinity })).slices.length).toBeGreaterThan(0);
    const s = await run({});
    expect(s.slices).toEqual([]);
    await vi.advanceTimersByTimeAsync(2);
    expect(s.pending).toBe(0);
  });

  it("should apply a steady stream below the burst rate within trickleWaitMs, however long it lasts", async () => {
    vi.useFakeTimers();
    const startedAt = Date.now();
    const s = scheduler();
    // 5 updates a millisecond (5,000/s) without a pause.
    for (let turn = 0; turn < 100; turn += 1) {
      s.arrive(5);
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(s.sliceTimes.length).toBeGreaterThan(3);
    // The first drain once the first update had waited 16 ms, then again every 16 ms or so.
    expect((s.sliceTimes[0] as number) - startedAt).toBeGreaterThanOrEqual(DRAIN_DEFAULTS.trickleWaitMs);
    expect((s.sliceTimes[0] as number) - startedAt).toBeLessThanOrEqual(DRAIN_DEFAULTS.trickleWaitMs + 2);
    const gaps = s.sliceTimes.slice(1).map((at, i) => at - (s.sliceTimes[i] as number));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(DRAIN_DEFAULTS.trickleWaitMs + 3);
  });

  it("should not wait longer than maxWaitMs for a burst that never ends", async () => {
    vi.useFakeTimers();
    const startedAt = Date.now();
    const s = scheduler({ maxWaitMs: 300 });
    while (s.slices.length === 0 && Date.now() - startedAt < 2_000) {
      s.arrive(1000);
      await vi.advanceTimersByTimeAsync(1);
    }
    expect((s.sliceTimes[0] as number) - startedAt).toBeGreaterThanOrEqual(300);
    expect((s.sliceTimes[0] as number) - startedAt).toBeLessThanOrEqual(302);
  });

  it("should drain a large backlog in time slices, yielding between them", async () => {
    let yields = 0;
    let clock = 0;
    let counted = 0;
    const ref: { s?: ReturnType<typeof scheduler> } = {};
    const timers: Timers = {
      setTimeout: (cb, ms) => setTimeout(cb, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      now: () => clock,
      // The clock moves with the work done, each entity 10 µs (reading it is free): 400 entities per 4 ms slice.
      monotonic: () => {
        const drained = 2_000 - (ref.s?.pending ?? 2_000);
        clock += (drained - counted) * 0.01;
        counted = drained;
        return clock;
      },
      defer: (cb) => {
        yields += 1;
        setImmediate(cb);
      },
    };
    const s = (ref.s = scheduler({ sliceMs: 4 }, timers));
    s.arrive(2_000);
    await s.drain.flush();
    expect(s.pending).toBe(0);
    expect(s.slices.length).toBe(5);
    // Past the budget by less than the few entities between two reads of the clock.
    expect(s.slices.every((n) => n <= 400 + 8)).toBe(true);
    expect(yields).toBeGreaterThanOrEqual(4);
  });

  it("should drain in a task of its own, not inside the timer task whose check found the stream calm", async () => {
    // Manual task queues: the check's timer and the deferred turns are run one task at a time.
    const timerTasks: Array<() => void> = [];
    const turns: Array<() => void> = [];
    const timers: Timers = {
      setTimeout: (cb) => timerTasks.push(cb),
      clearTimeout: () => undefined,
      now: () => 0,
      monotonic: () => 0,
      defer: (cb) => turns.push(cb),
    };
    const s = scheduler({}, timers);
    s.arrive(10);
    // The checks' tasks: the first saw arrivals during its turn and looks again; the next finds the stream calm, so the
    // drain is due — in the task after it, not in it.
    while (timerTasks.length > 0 && turns.length === 0) {
      (timerTasks.shift() as () => void)();
      expect(s.slices).toEqual([]);
    }
    expect(turns).toHaveLength(1);
    (turns.shift() as () => void)();
    // The slice runs as the turn's promise settles (a few microtasks, no task in between).
    for (let tick = 0; tick < 5 && s.slices.length === 0; tick += 1) await Promise.resolve();
    expect(s.slices).toEqual([10]);
    expect(s.pending).toBe(0);
  });

  it("should drain what arrives during the turn before the first slice with the rest, and not look again for it", async () => {
    const timerTasks: Array<() => void> = [];
    const turns: Array<() => void> = [];
    const timers: Timers = { setTimeout: (cb) => timerTasks.push(cb), clearTimeout: () => undefined, now: () => 0, monotonic: () => 0, defer: (cb) => turns.push(cb) };
    const s = scheduler({}, timers);
    s.arrive(10);
    while (timerTasks.length > 0 && turns.length === 0) (timerTasks.shift() as () => void)();
    // Five more come in while the first slice waits for its turn: the slice takes them too.
    s.arrive(5);
    (turns.shift() as () => void)();
    for (let tick = 0; tick < 10; tick += 1) await Promise.resolve();
    expect(s.slices).toEqual([15]);
    expect(s.pending).toBe(0);
    // Nothing is left and nothing new came: no further check is scheduled.
    expect(timerTasks).toHaveLength(0);
  });
});

import { describe, expect, it } from "vitest";
import type { Timers } from "../../src/core/clock";
import { DRAIN_DEFAULTS, DrainScheduler } from "../../src/core/drain";
import { SAME_TASK_MS, SharedSlice } from "../../src/core/util/shared-slice";
import { Slicer } from "../../src/core/util/slicer";
import { runInSlices } from "../../src/map/slices";

/**
 * A clock that moves only with the work the test says was done (`work(ms)`), and a log of the work each task held the
 * thread for: a yield (`defer`) ends a task. Yields run on the real event loop.
 */
function taskClock() {
  let clock = 0;
  const tasks: number[] = [0];
  const timers: Timers = {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    now: () => clock,
    monotonic: () => clock,
    defer: (callback) => {
      tasks.push(0);
      setImmediate(callback);
    },
  };
  const work = (ms: number): void => {
    clock += ms;
    tasks[tasks.length - 1] = (tasks[tasks.length - 1] as number) + ms;
  };
  /** Time passes with the thread idle (other tasks, the network): not work of this task. */
  const idle = (ms: number): void => {
    clock += ms;
  };
  return { timers, tasks, work, idle };
}

/** Items of `costMs` through `slicer` until it says the slice is spent (or `limit` items); how many ran. */
function runUntilDue(slicer: Slicer, work: (ms: number) => void, costMs: number, limit = 10_000): number {
  for (let item = 1; item <= limit; item += 1) {
    work(costMs);
    if (slicer.due()) return item;
  }
  return limit;
}

describe("SharedSlice", () => {
  it("should continue the running slice for a loop that starts right after another's last clock read, and open one otherwise", () => {
    const slice = new SharedSlice();
    expect(slice.join(10)).toBe(10);
    slice.read(13);
    // Started within SAME_TASK_MS of the last read: the same task, the same slice.
    expect(slice.join(13 + SAME_TASK_MS)).toBe(10);
    // A loop that just yielded starts afresh whatever the clock says.
    expect(slice.open(14)).toBe(14);
    // Long after the last read: the event loop ran in between.
    expect(slice.join(14 + SAME_TASK_MS + 0.5)).toBe(14 + SAME_TASK_MS + 0.5);
    // A clock that went back (a fake one, reset) is not taken for the same task.
    slice.read(100);
    expect(slice.join(50)).toBe(50);
    // Nor one that went back while a loop ran: a slice that starts after `now` would hold the thread until then.
    slice.open(1000);
    slice.read(10);
    expect(slice.join(10.5)).toBe(10.5);
  });
});

describe("sliced loops that run back to back in one task share one budget", () => {
  it("should end a second Slicer's slice where the first one's budget ends, not a whole budget later", async () => {
    const { timers, tasks, work } = taskClock();
    // A page decoded 3 ms of its slice and ended; a reconciliation walk starts in the same task.
    const page = new Slicer(timers, 4);
    for (let item = 0; item < 30; item += 1) {
      work(0.1);
      expect(page.due()).toBe(false);
    }
    const walk = new Slicer(timers, 4);
    const items = runUntilDue(walk, work, 0.05);
    // 1 ms was left: about 20 items of 0.05 ms, a stride (at most 8) over. Each with its own budget: 80 and more.
    expect(items).toBeLessThanOrEqual(1 / 0.05 + 8);
    expect(tasks[0]).toBeLessThanOrEqual(4 + 8 * 0.05 + 1e-9);
    await walk.pause();
    // After its yield the walk has a whole slice again.
    expect(runUntilDue(walk, work, 0.05)).toBeGreaterThanOrEqual(4 / 0.05);
  });

  it("should count what a drain slice does after its last check (telling listeners) in the slice a next loop continues", async () => {
    const { timers, tasks, work } = taskClock();
    let left = 16;
    const drain = new DrainScheduler(DRAIN_DEFAULTS, timers, (overdue) => {
      while (left > 0) {
        left -= 1;
        work(0.25);
        if (overdue()) break;
      }
      // Publishing the state and telling listeners: after the last clock read, longer than SAME_TASK_MS.
      work(1.5);
      return left > 0;
    });
    await drain.flush();
    expect(tasks).toHaveLength(1);
    // The replay's reconciliation starts in the same task.
    const walk = new Slicer(timers, 4);
    runUntilDue(walk, work, 0.05);
    expect(tasks).toHaveLength(1);
    // 4 ms of drain, its 1.5 ms tail, a stride of the walk: not the walk's own 4 ms on top (9.5 ms).
    expect(tasks[0]).toBeLessThanOrEqual(4 + 1.5 + 8 * 0.05 + 1e-9);
    drain.close();
  });

  it("should hand the slice on from where a Slicer's loop ended, not from its last clock read", () => {
    const { timers, tasks, work } = taskClock();
    const page = new Slicer(timers, 4);
    for (let item = 0; item < 200; item += 1) {
      work(0.01);
      page.due();
    }
    // The page's last entity was a big one, read between two clock reads: 1.5 ms the clock has not seen yet.
    work(1.5);
    page.end();
    const walk = new Slicer(timers, 4);
    runUntilDue(walk, work, 0.05);
    expect(tasks[0]).toBeLessThanOrEqual(4 + 8 * 0.05 + 1e-9);
  });

  it("should not let a Slicer that joins after the clock was set back run past its budget", () => {
    const { timers, work } = taskClock();
    const clock = timers as { monotonic: () => number };
    const real = clock.monotonic;
    let offset = 1000;
    clock.monotonic = () => real() + offset;
    const first = new Slicer(timers, 4);
    offset = 0;
    for (let item = 0; item < 16; item += 1) {
      work(0.05);
      first.due();
    }
    const second = new Slicer(timers, 4);
    expect(runUntilDue(second, work, 0.05, 100_000) * 0.05).toBeLessThanOrEqual(4 + 8 * 0.05 + 1e-9);
  });

  it("should give a loop that starts after the thread was idle a slice of its own", () => {
    const { timers, work, idle } = taskClock();
    const first = new Slicer(timers, 4);
    runUntilDue(first, work, 0.1);
    idle(SAME_TASK_MS + 1);
    const next = new Slicer(timers, 4);
    expect(runUntilDue(next, work, 0.05)).toBeGreaterThanOrEqual(4 / 0.05);
  });

  it("should let a drain flushed right after a page's decode finish the decode's slice before it yields", async () => {
    const { timers, tasks, work } = taskClock();
    let left = 200;
    const drain = new DrainScheduler(DRAIN_DEFAULTS, timers, (overdue) => {
      while (left > 0) {
        left -= 1;
        work(0.25);
        if (overdue()) break;
      }
      return left > 0;
    });
    const decode = new Slicer(timers, 4);
    // The decode stops 3.5 ms into its slice (the page's last entity), and the replay flushes what it queued.
    for (let item = 0; item < 35; item += 1) {
      work(0.1);
      decode.due();
    }
    await drain.flush();
    expect(left).toBe(0);
    // The first task held the decode's 3.5 ms and the drain's first items, within the budget and a stride of entities:
    // with a slice of its own the drain added 4 ms (7.5 in all).
    expect(tasks[0]).toBeLessThanOrEqual(4 + 8 * 0.25 + 1e-9);
    expect(tasks[0]).toBeLessThan(3.5 + 4);
    // Every later task is one slice of its own.
    for (const held of tasks.slice(1, -1)) expect(held).toBeLessThanOrEqual(4 + 8 * 0.25 + 1e-9);
    drain.close();
  });

  it("should start a map build's first slice within what is left of the task's slice", async () => {
    const { timers, tasks, work } = taskClock();
    const drainLike = new Slicer(timers, 4);
    for (let item = 0; item < 36; item += 1) {
      work(0.1);
      drainLike.due();
    }
    let built = 0;
    await new Promise<void>((resolve) => {
      runInSlices(
        () => {
          work(0.02);
          built += 1;
          return built < 2_000;
        },
        timers,
        4,
        { yielded: () => undefined, done: resolve },
      );
    });
    expect(built).toBe(2_000);
    expect(tasks[0]).toBeLessThanOrEqual(4 + 0.3);
    expect(tasks[0]).toBeLessThan(3.6 + 4);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Timers } from "../../src/core/clock";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { LivenessMonitor, type ProbeVerdict } from "../../src/core/guard/liveness";

const CONFIG = { heartbeatTimeoutMs: 30_000, heartbeatCheckIntervalMs: 5_000, probeTimeoutMs: 10_000 };

let monitor: LivenessMonitor | undefined;
let clockReads = 0;
let probes: number[] = [];
let started = 0;

function startMonitor(schedule?: (callback: () => void) => unknown): LivenessMonitor {
  const timers: Timers = {
    setTimeout: (callback, ms) => (schedule === undefined ? setTimeout(callback, ms) : schedule(callback)),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    now: () => {
      clockReads += 1;
      return Date.now();
    },
  };
  const healthy: ProbeVerdict = { kind: "healthy", lagMs: 0 };
  monitor = new LivenessMonitor(CONFIG, timers, noPageEnvironment, {
    canProbe: () => true,
    probe: () => {
      probes.push(Date.now() - started);
      return Promise.resolve(healthy);
    },
    onEvidence: () => undefined,
    onLag: () => undefined,
  });
  started = Date.now();
  monitor.start();
  return monitor;
}

beforeEach(() => {
  vi.useFakeTimers();
  clockReads = 0;
  probes = [];
});

afterEach(() => {
  monitor?.stop();
  monitor = undefined;
  vi.useRealTimers();
});

describe("the silence clock under a burst of stream messages", () => {
  it("should never read the clock for a stream message", async () => {
    const m = startMonitor();
    const before = clockReads;
    for (let i = 0; i < 10_000; i += 1) m.noteMessage();
    expect(clockReads).toBe(before);
    // The next check (5 s) reads it once, for itself.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(clockReads).toBe(before + 1);
  });

  it("should probe at the same check as when every message read the clock", async () => {
    const m = startMonitor();
    // Messages from 1 s to 4.9 s after start, then silence: the last is at 4.9 s, so 30 s of silence is reached at
    // 34.9 s and the first check past it is at 35 s — as it is counted from the check at 5 s that saw them.
    await vi.advanceTimersByTimeAsync(1_000);
    m.noteMessage();
    await vi.advanceTimersByTimeAsync(3_900);
    m.noteMessage();
    await vi.advanceTimersByTimeAsync(29_000);
    expect(probes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_200);
    expect(probes).toEqual([35_000]);
  });

  it("should count silence from a message noted after a check, not from before it", async () => {
    const m = startMonitor();
    m.noteMessage();
    // A message in every interval keeps the stream alive: no probe, however long it goes on.
    for (let second = 0; second < 120; second += 5) {
      await vi.advanceTimersByTimeAsync(5_000);
      m.noteMessage();
    }
    expect(probes).toEqual([]);
  });

  it("should not probe a flowing stream when the checks come far apart (a hidden tab's throttled timers)", async () => {
    // Every check waits 60 s, twice the silence timeout, as a browser throttles a background tab's timers.
    const throttled = startMonitor((callback) => setTimeout(callback, 60_000));
    for (let tick = 0; tick < 2_000; tick += 1) {
      throttled.noteMessage();
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(probes).toEqual([]);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;

function create(onStateChange?: Parameters<typeof createSyncPipeline>[0]["onStateChange"]): SyncPipeline {
  const { world, components } = createTestWorld();
  pipeline = createSyncPipeline({ client, world, components, environment: noPageEnvironment, random: () => 0.5, ...(onStateChange === undefined ? {} : { onStateChange }) });
  return pipeline;
}

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
  client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
});

afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("forceReplay() is never swallowed", () => {
  it("should replay when called right after `await ready` resolved, in the tick the boot ends", async () => {
    const p = create();
    let forced: Promise<void> | undefined;
    void p.start().then(() => {
      forced = p.forceReplay();
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(forced).toBeDefined();
    await forced;
    expect(p.metrics().replays).toBe(2);
    expect(client.pagesServed).toBe(2);
    expect(p.getState().status).toBe("streaming");
  });

  it("should replay when called from onStateChange entering error (the app's own Try again)", async () => {
    let tries = 0;
    const p = create((state, previous) => {
      if (state.status === "error" && previous.status !== "error" && tries === 0) {
        tries += 1;
        client.getEntities = MemoryToriiClient.prototype.getEntities.bind(client);
        void p.forceReplay();
      }
    });
    client.getEntities = () => Promise.reject("torii: unavailable");
    void p.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(tries).toBe(1);
    expect(p.getState()).toMatchObject({ status: "streaming", canHardReload: false, replayAttempts: 0 });
  });

  it("should start a queued replay after the running one when forced mid-episode, and resolve when it has run", async () => {
    const p = create();
    let release: () => void = () => undefined;
    let pages = 0;
    client.beforePage = () => {
      pages += 1;
      // Hold the boot's only page until the test lets it go.
      if (pages === 1) return new Promise<void>((resolve) => (release = resolve));
      return undefined;
    };
    void p.start();
    await vi.advanceTimersByTimeAsync(10);
    let done = false;
    void p.forceReplay().then(() => (done = true));
    release();
    await vi.advanceTimersByTimeAsync(100);
    expect(done).toBe(true);
    expect(pages).toBe(2);
    expect(p.metrics().replays).toBe(2);
  });

  it("should cut a backoff wait short: the forced retry starts at once", async () => {
    const p = create();
    client.getEntities = () => Promise.reject("torii: unavailable");
    void p.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(p.getState()).toMatchObject({ status: "lagging", replayAttempts: 1 });
    client.getEntities = MemoryToriiClient.prototype.getEntities.bind(client);
    // Backoff would wait 1 s; the forced request wakes it.
    const forced = p.forceReplay();
    await vi.advanceTimersByTimeAsync(10);
    await forced;
    expect(p.getState()).toMatchObject({ status: "streaming", replayAttempts: 0 });
  });
});

describe("the replay budget counts failures", () => {
  it("should give boot the whole budget and reset it after every successful recovery", async () => {
    const p = create();
    await p.start();
    expect(p.getState().replayAttempts).toBe(0);
    // Twenty recoveries in a row, each failing once before it succeeds: never three failures in a row.
    for (let round = 0; round < 20; round += 1) {
      let failed = false;
      const real = MemoryToriiClient.prototype.getEntities.bind(client);
      client.getEntities = (query) => {
        if (!failed) {
          failed = true;
          return Promise.reject("torii: page failed");
        }
        return real(query);
      };
      const done = p.forceReplay();
      await vi.advanceTimersByTimeAsync(5_000);
      await done;
      expect(p.getState()).toMatchObject({ status: "streaming", replayAttempts: 0 });
    }
    expect(p.metrics().replays).toBe(21);
  });
});

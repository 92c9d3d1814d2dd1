import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline, type SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const gap = { hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0, created_at: 0, world_address: "0x0" };

class TestEnvironment implements PageEnvironment {
  online = new Set<() => void>();
  onVisibilityChange() {
    return () => undefined;
  }
  onOnline(listener: () => void) {
    this.online.add(listener);
    return () => this.online.delete(listener);
  }
  goOnline() {
    for (const listener of this.online) listener();
  }
}

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let environment: TestEnvironment;

function create(extra: Partial<SyncPipelineOptions> = {}): SyncPipeline {
  const { world, components } = createTestWorld();
  pipeline = createSyncPipeline({ client, world, components, environment, random: () => 0.5, ...extra });
  return pipeline;
}

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
  client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
  environment = new TestEnvironment();
});
afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("evidence and forced requests that arrive during a replay", () => {
  it("should not run a third replay for a gap that the queued forced replay (started after it) already covers", async () => {
    const p = create();
    await p.start();
    let release: () => void = () => undefined;
    client.beforePage = () => new Promise<void>((resolve) => (release = resolve));
    const first = p.forceReplay();
    await vi.advanceTimersByTimeAsync(10);
    // While that replay pages: the client's reconnect signal (deferred) and the app's "Try again" (queued).
    client.emit(gap);
    const second = p.forceReplay();
    client.beforePage = undefined;
    release();
    await first;
    await second;
    await vi.advanceTimersByTimeAsync(1_000);
    // boot + the running replay + the queued one, which started after the gap and reads past it: no fourth for the gap.
    expect(p.metrics().replays).toBe(3);
  });

  it("should retry at once when the app forces a replay from onStateChange entering lagging", async () => {
    let forced: Promise<void> | undefined;
    const started: number[] = [];
    const p = create({
      onStateChange: (state, previous) => {
        if (state.status === "replaying" && previous.status !== "replaying") started.push(Date.now());
        // The app's own "Try again", wired to the state: it runs inside the replayFailed transition.
        if (state.status === "lagging" && previous.status !== "lagging" && forced === undefined) {
          client.getEntities = MemoryToriiClient.prototype.getEntities.bind(client);
          forced = p.forceReplay();
        }
      },
      backoff: { baseMs: 20_000 },
    });
    client.getEntities = () => Promise.reject("torii: unavailable");
    const t0 = Date.now();
    void p.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(forced).toBeDefined();
    // The forced request came one tick before the episode went to sleep, so it could not wake the backoff: it waits
    // the whole 20 s (then runs one more replay after the retry). The scheduler promises "Try again retries at once".
    expect(started.length).toBe(2);
    expect(started[1]! - t0).toBeLessThan(1_000);
  });
});

describe("leaving error without the user", () => {
  it("should try again when the browser comes back online after the budget was spent offline", async () => {
    const p = create();
    client.getEntities = () => Promise.reject("torii: network down");
    void p.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(p.getState()).toMatchObject({ status: "error", canHardReload: true });
    // The network is back: the browser says so, and the client's own reconnect signal arrives too.
    client.getEntities = MemoryToriiClient.prototype.getEntities.bind(client);
    environment.goOnline();
    client.emit(gap);
    await vi.advanceTimersByTimeAsync(10_000);
    // README: the guard replays on evidence ("the browser online again", "the client's reconnect signal"); in error the
    // controller drops all evidence, so a 30 s outage leaves the game in error until a human clicks.
    expect(p.getState().status).toBe("streaming");
  });
});

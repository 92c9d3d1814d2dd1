import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import type { SyncStatus } from "../../src/core/state";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const gap = { hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0, created_at: 0, world_address: "0x0" };

let pipeline: SyncPipeline | undefined;
beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("state listeners see the transitions in order", () => {
  it("should leave a subscribe() listener on the current state when onStateChange starts a replay inside a transition", async () => {
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    // After boot, the resubscribe is slow (Torii confirms a subscription only with its first stream message).
    let holdSubscribe = false;
    const subscribe = client.onEntityUpdated.bind(client);
    client.onEntityUpdated = (clause, worlds, callback) => (holdSubscribe ? new Promise(() => undefined) : subscribe(clause, worlds, callback));
    const { world, components } = createTestWorld();
    const p: SyncPipeline = createSyncPipeline({
      client,
      world,
      components,
      environment: noPageEnvironment,
      random: () => 0.5,
      // The app's own "resync now" on lagging (the pattern force-replay.test.ts supports from onStateChange).
      onStateChange: (state, previous) => {
        if (state.status === "lagging" && previous.status === "streaming") void p?.forceReplay();
      },
    });
    pipeline = p;
    await p.start();
    await vi.advanceTimersByTimeAsync(100);
    const heard: SyncStatus[] = [];
    p.subscribe((state) => heard.push(state.status));
    holdSubscribe = true;
    client.emit(gap);
    await vi.advanceTimersByTimeAsync(10);
    expect(p.getState().status).toBe("replaying");
    // The nested dispatch (forceReplay inside onStateChange) is told after the outer one: the listener's last word is
    // the current state, not `lagging` until the next dispatch (here the subscribe's 10 s deadline).
    expect(heard.at(-1)).toBe("replaying");
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { syncDebugRegistry } from "../../src/telemetry/inspector";
import type { SyncSink } from "../../src/telemetry/sink";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

let client: MemoryToriiClient;
const pipelines: SyncPipeline[] = [];

/** "Your own" sink, as SyncSink's doc invites: it watches the store it is handed, and its code has a bug. */
const throwingStoreSink: SyncSink = {
  attach(source) {
    return source.store.subscribe(() => {
      throw new Error("sink bug");
    });
  },
};

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
  client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
  // The SDK reports a sink's throw on a microtask; keep those reports out of the runner.
  vi.spyOn(globalThis, "queueMicrotask").mockImplementation(() => undefined);
});
afterEach(() => {
  for (const p of pipelines.splice(0)) {
    try {
      p.cancel();
    } catch {
      // the bug under test
    }
  }
  delete (globalThis as Record<string, unknown>).__SYNC_DEBUG__;
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("a custom sink whose store listener throws", () => {
  it("should not stop the sync nor starve the other store readers (React's useStore)", async () => {
    const { world, components } = createTestWorld();
    const p = createSyncPipeline({ client, world, components, environment: noPageEnvironment, logging: false, inspector: false, sinks: [throwingStoreSink] });
    pipelines.push(p);
    // Another reader of the same store, subscribed after the sink: what a component's useSyncState is.
    const seen: string[] = [];
    p.store.subscribe((s) => seen.push(s.sync.status));
    void p.start();
    await vi.advanceTimersByTimeAsync(200);
    expect(p.getState().status).toBe("streaming");
    expect(seen).toContain("streaming");
  });

  it("should still cancel cleanly: no throw, and its window.__SYNC_DEBUG__ entry removed", async () => {
    const { world, components } = createTestWorld();
    const p = createSyncPipeline({ client, world, components, environment: noPageEnvironment, logging: false, inspector: "game", sinks: [throwingStoreSink] });
    pipelines.push(p);
    expect(syncDebugRegistry()?.game).toBeDefined();
    expect(() => p.cancel()).not.toThrow();
    expect(syncDebugRegistry()?.game).toBeUndefined();
  });
});

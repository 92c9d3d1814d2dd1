import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SyncLogger } from "../../src/core/log";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const pipelines: SyncPipeline[] = [];

beforeEach(() => {
  vi.useFakeTimers();
  // The SDK reports an app callback's throw on a microtask; keep those reports out of the runner.
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
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("a console-like `logging` logger that throws", () => {
  it("should not stop the sync, as a throwing structured `logger` does not", async () => {
    // A wrapper over the app's log transport whose info() throws once the transport is closed.
    const logging: SyncLogger = {
      debug: () => undefined,
      info: () => {
        throw new Error("log transport closed");
      },
      warn: () => undefined,
      error: () => undefined,
    };
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const { world, components } = createTestWorld();
    const p = createSyncPipeline({ client, world, components, environment: noPageEnvironment, inspector: false, logging });
    pipelines.push(p);
    void p.start().catch(() => undefined);
    await vi.advanceTimersByTimeAsync(200);
    expect(p.getState().status).toBe("streaming");
    expect(() => p.cancel()).not.toThrow();
  });
});

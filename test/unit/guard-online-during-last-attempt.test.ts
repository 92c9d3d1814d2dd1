import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import type { ToriiPageLike, ToriiQuery } from "../../src/torii/client-types";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

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
beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("evidence that would leave error, arriving during the attempt that spends the budget", () => {
  it("should try again when the browser comes back online while the last attempt is still failing", async () => {
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const environment = new TestEnvironment();
    let calls = 0;
    let down = true;
    const real = MemoryToriiClient.prototype.getEntities.bind(client);
    // Offline: each page request hangs 5 s, then fails.
    client.getEntities = (query: ToriiQuery): Promise<ToriiPageLike> => {
      calls += 1;
      if (!down) return real(query);
      return new Promise((_, reject) => setTimeout(() => reject("torii: network down"), 5_000));
    };
    const { world, components } = createTestWorld();
    pipeline = createSyncPipeline({ client, world, components, environment, random: () => 0.5 });
    void pipeline.start();
    // Run until the third (last) attempt's page request is in flight.
    for (let i = 0; i < 200 && calls < 3; i += 1) await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBe(3);
    expect(pipeline.getState().status).not.toBe("error");
    // The network is back while that request still hangs: the browser says so.
    down = false;
    environment.goOnline();
    await vi.advanceTimersByTimeAsync(30_000);
    // In error, "online" evidence gets one forced attempt (controller.ts); arriving a few seconds earlier it was lost.
    expect(pipeline.getState().status).toBe("streaming");
  });
});

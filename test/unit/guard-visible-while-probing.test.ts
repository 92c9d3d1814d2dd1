import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

class TestEnvironment implements PageEnvironment {
  visibility = new Set<(hidden: boolean) => void>();
  onVisibilityChange(listener: (hidden: boolean) => void) {
    this.visibility.add(listener);
    return () => this.visibility.delete(listener);
  }
  onOnline() {
    return () => undefined;
  }
  setHidden(hidden: boolean) {
    for (const listener of this.visibility) listener(hidden);
  }
}

let pipeline: SyncPipeline | undefined;
beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("a tab back from a long sleep while a silence probe is in flight", () => {
  it("should still treat the long absence as evidence (replay) when the in-flight probe cannot vouch for the whole scope", async () => {
    const client = new MemoryToriiClient();
    // Three rotation pages of 500: a silence probe of one page is `partial`, it never vouches for the whole scope.
    client.rows = Array.from({ length: 1_200 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i) }));
    const environment = new TestEnvironment();
    const { world, components } = createTestWorld();
    pipeline = createSyncPipeline({ client, world, components, environment, random: () => 0.5 });
    void pipeline.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(pipeline.getState().status).toBe("streaming");
    // Probe pages now take 400 ms (a real network); count pages in flight.
    let inFlight = 0;
    client.beforePage = () => {
      inFlight += 1;
      return new Promise<void>((resolve) =>
        setTimeout(() => {
          inFlight -= 1;
          resolve();
        }, 400),
      );
    };
    environment.setHidden(true);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    // The hidden tab's throttled check fired a silence probe: the tab becomes visible while its page is in flight.
    for (let i = 0; i < 200 && inFlight === 0; i += 1) await vi.advanceTimersByTimeAsync(50);
    expect(inFlight).toBe(1);
    const replaysBefore = pipeline.metrics().replays;
    environment.setHidden(false);
    await vi.advanceTimersByTimeAsync(3_000);
    // Hidden for 5 minutes and nothing vouched for the whole scope: the README promises a replay on "the tab back from a
    // long sleep". The visible probe waits for the one in flight (a silence probe's `partial` says nothing of the absence).
    expect(pipeline.metrics().evidence.visible_after_hidden).toBe(1);
    expect(pipeline.metrics().replays).toBe(replaysBefore + 1);
  });
});

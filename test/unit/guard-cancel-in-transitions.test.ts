import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import type { ToriiSubscriptionLike } from "../../src/torii/client-types";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function create(client: MemoryToriiClient, extra: Partial<Parameters<typeof createSyncPipeline>[0]> = {}): SyncPipeline {
  const { world, components } = createTestWorld();
  return createSyncPipeline({ client, world, components, environment: noPageEnvironment, random: () => 0.5, ...extra });
}

const ticks = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i += 1) await Promise.resolve();
};

describe("cancel() just after the client handed over the subscription", () => {
  // Within 0–2 microtasks resubscribe() has not stored the handle yet; from 3 on cancel() finds it.
  for (const depth of [0, 1, 2, 3]) {
    it(`should release the subscription (cancel ${depth} microtask after it resolved)`, async () => {
      const client = new MemoryToriiClient();
      client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
      const p = create(client);
      const subscribe = client.onEntityUpdated.bind(client);
      client.onEntityUpdated = (clause, worlds, callback) => {
        const pending: Promise<ToriiSubscriptionLike> = subscribe(clause, worlds, callback);
        // The app tears the pipeline down in a continuation of the very moment the client confirms the subscription.
        void pending.then(() => ticks(depth)).then(() => p.cancel());
        return pending;
      };
      void p.start();
      await vi.advanceTimersByTimeAsync(100);
      expect(p.getState().status).toBe("idle");
      // A handle that resubscribe() stores after cancel() emptied the list is cancelled as it arrives.
      expect(client.subscriberCount).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    });
  }
});

describe("an onStateChange that cancels the pipeline inside a transition", () => {
  it("should leave no timer behind when the app cancels on entering lagging (a failed replay, retrying)", async () => {
    const client = new MemoryToriiClient();
    client.getEntities = () => Promise.reject("torii: unavailable");
    const p: SyncPipeline = create(client, {
      onStateChange: (state) => {
        // The app gives up on this pipeline (to build a fresh one) as soon as a replay fails.
        if (state.status === "lagging") p?.cancel();
      },
    });
    void p.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(p.getState().status).toBe("idle");
    // runReplay read the state *after* the re-entrant cancel (idle, not error) and went to sleep a backoff:
    // a timer created after cancel().
    expect(vi.getTimerCount()).toBe(0);
  });
});

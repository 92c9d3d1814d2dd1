// An app's onStateChange that throws, inside the replay's failure path: the throw is reported as uncaught (a microtask)
// and the replay goes on. It ended the replay scheduler's loop before: every later request (evidence or forceReplay)
// waited behind an episode that no longer ran, the guard stayed `lagging` and forceReplay() never resolved.
import { getComponentValue, type Entity } from "@dojoengine/recs";
import { describe, expect, it, vi } from "vitest";
import { memoryPipelines } from "../support/memory-pipeline";
import { paddedId, rawEntity, ty } from "../support/ty";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const zero = { hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0, created_at: 0, world_address: "0x0" };
const rig = memoryPipelines();

describe("an app callback that throws during a replay", () => {
  it("should keep replaying (and let forceReplay resolve) after onStateChange threw once on a failed attempt", async () => {
    rig.client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    let threw = false;
    const p = rig.start({
      backoff: { baseMs: 50, maxMs: 50, jitter: 0 },
      onStateChange(state) {
        // An app bug that fires once: e.g. a UI handler that throws on the first "replay failed" banner.
        if (!threw && state.status === "lagging" && state.reason.startsWith("replay failed")) {
          threw = true;
          throw new Error("app bug in onStateChange");
        }
      },
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(p.getState().status).toBe("streaming");

    // Torii fails one page read; the recovery attempt fails, and the app's callback throws on that transition.
    const healthy = rig.client.getEntities.bind(rig.client);
    let failures = 1;
    rig.client.getEntities = (query) => (failures-- > 0 ? Promise.reject("status: Unavailable") : healthy(query));
    rig.client.rows = [rawEntity(1, 300, { "test-Army": army(3) })];
    // The throw is reported as uncaught (a microtask): caught here, so it is seen instead of failing the run.
    const uncaught: unknown[] = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (callback) =>
      original(() => {
        try {
          callback();
        } catch (error) {
          uncaught.push(error);
        }
      });
    try {
      rig.client.emit(zero);
      await vi.advanceTimersByTimeAsync(5_000);
    } finally {
      globalThis.queueMicrotask = original;
    }
    expect(threw).toBe(true);
    expect(uncaught).toEqual([new Error("app bug in onStateChange")]);

    // The retry after backoff should have run (Torii is healthy again); failing that, the app's "Try again" must work.
    let resolved = false;
    void p.forceReplay().then(() => (resolved = true));
    await vi.advanceTimersByTimeAsync(5_000);
    expect({ status: p.getState().status, forceReplayResolved: resolved, x: getComponentValue(rig.components.Army, paddedId(1) as Entity)?.x }).toEqual({
      status: "streaming",
      forceReplayResolved: true,
      x: 3,
    });
  });
});

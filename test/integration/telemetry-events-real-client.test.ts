import { afterEach, describe, expect, it } from "vitest";
import type { SyncEvent, SyncEventType } from "../../src/core/events";
import type { SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { createMetricsSink, type MetricsSinkRecord } from "../../src/telemetry/metrics-sink";
import { waitFor } from "torii-sync-guard/testing";
import { converged, FAST_GUARD, realClientRigs } from "../support/real-client";

const rigs = realClientRigs();
afterEach(() => rigs.teardown());


/** The events of a pipeline as a metrics sink receives them, with the wall clock when each arrived. */
interface Seen {
  readonly events: SyncEvent[];
  readonly arrivedAt: number[];
  of<T extends SyncEventType>(type: T): Array<Extract<SyncEvent, { type: T }>>;
  after(event: SyncEvent): SyncEvent[];
}

function seen(records: MetricsSinkRecord[], arrivedAt: number[]): Seen {
  const events = (): SyncEvent[] => records.flatMap((record) => (record.kind === "event" ? [record.event] : []));
  return {
    get events() {
      return events();
    },
    arrivedAt,
    of: <T extends SyncEventType>(type: T) => events().filter((event): event is Extract<SyncEvent, { type: T }> => event.type === type),
    after: (event) => events().slice(events().indexOf(event) + 1),
  };
}

async function boot(seed: number, guard: Partial<typeof FAST_GUARD> = FAST_GUARD): Promise<{ rig: Awaited<ReturnType<typeof rigs.start>>; p: SyncPipeline; log: Seen }> {
  const records: MetricsSinkRecord[] = [];
  const arrivedAt: number[] = [];
  const sink = createMetricsSink(
    (record) => {
      records.push(record);
      if (record.kind === "event") arrivedAt.push(Date.now());
    },
    { snapshots: false },
  );
  const rig = await rigs.start(seed, () => ({ guard, backoff: { baseMs: 50, maxMs: 200 }, sinks: [sink], logging: false }));
  await rig.pipeline.start();
  return { rig, p: rig.pipeline, log: seen(records, arrivedAt) };
}

describe("events with the real Torii client against the fake server", () => {
  it("should emit `gap` when the client reconnects by itself, then a replay that starts and finishes for it", async () => {
    // Default liveness timings: a fast probe would notice the cut first and replay before the client reconnects.
    const { rig, p, log } = await boot(41, { replayPageLimit: 25 });
    expect(log.of("gap")).toEqual([]);
    expect(log.of("replay_started")).toEqual([expect.objectContaining({ reason: "boot", forced: false, attempt: 1 })]);
    expect(log.of("replay_finished")).toHaveLength(1);
    const cutAt = Date.now();
    rig.fake.chaos.breakConnections();
    for (let block = 0; block < 20; block += 1) rig.fake.world.step(1);
    await waitFor(() => log.of("gap").length > 0, { timeoutMs: 10_000, description: "the gap event" });
    await waitFor(() => log.of("replay_finished").length >= 2 && p.getState().status === "streaming", { timeoutMs: 10_000 });

    const [gap] = log.of("gap");
    expect(gap?.at).toBeGreaterThanOrEqual(cutAt);
    expect(p.metrics().gaps).toBe(log.of("gap").length);
    const next = log.after(gap as SyncEvent);
    // The gap is evidence at once: the next event, stamped the same moment (the same ms, or the next under load).
    expect(next[0]).toMatchObject({ type: "evidence", evidence: "gap" });
    expect((next[0]?.at ?? Infinity) - (gap?.at ?? 0)).toBeLessThanOrEqual(5);
    expect(next[0]?.at).toBeGreaterThanOrEqual(gap?.at ?? Infinity);
    const started = next.find((event): event is Extract<SyncEvent, { type: "replay_started" }> => event.type === "replay_started");
    expect(started?.reason).toMatch(/^gap/);
    expect(started?.at).toBeGreaterThanOrEqual(gap?.at ?? Infinity);
    const finished = log.after(started as SyncEvent).find((event): event is Extract<SyncEvent, { type: "replay_finished" }> => event.type === "replay_finished");
    expect(finished?.pages).toBeGreaterThan(0);
    expect(finished?.entities).toBeGreaterThan(0);
    expect(finished?.at).toBeGreaterThanOrEqual(started?.at ?? Infinity);
    expect(finished?.durationMs).toBeLessThanOrEqual((finished?.at ?? 0) - (started?.at ?? 0));
    // Each event says when it happened: the moment it reached the sink.
    for (const [i, event] of log.events.entries()) expect(Math.abs(event.at - (log.arrivedAt[i] as number))).toBeLessThanOrEqual(5);
    await converged(rig.fake, rig.components);
  });

  it("should emit `replay_failed` per failed attempt and `replay_finished` once the retry pages through", async () => {
    const { rig, p, log } = await boot(42);
    for (let block = 0; block < 10; block += 1) rig.fake.world.step(1);
    rig.fake.chaos.failNextPages(2, { message: "indexer restarting" });
    const calledAt = Date.now();
    await p.forceReplay();
    const since = log.events.filter((event) => event.at >= calledAt && event.type.startsWith("replay_"));
    expect(since.map((event) => [event.type, "attempt" in event ? event.attempt : undefined])).toEqual([
      ["replay_started", 1],
      ["replay_failed", 1],
      ["replay_started", 2],
      ["replay_failed", 2],
      ["replay_started", 3],
      ["replay_finished", undefined],
    ]);
    expect(since[0]).toMatchObject({ forced: true });
    expect(log.of("replay_failed")).toEqual([
      expect.objectContaining({ code: "SYNC_TORII_ERROR", budgetSpent: false, message: expect.stringMatching(/indexer restarting/) }),
      expect.objectContaining({ code: "SYNC_TORII_ERROR", budgetSpent: false }),
    ]);
    expect(log.of("budget_spent")).toEqual([]);
    expect(p.getState()).toMatchObject({ status: "streaming", replayAttempts: 0 });
    await converged(rig.fake, rig.components);
  });

  it("should emit `budget_spent` once when page failures persist, and `replay_finished` after the forced recovery", async () => {
    const { rig, p, log } = await boot(43);
    rig.fake.chaos.failNextPages(50, { message: "indexer down" });
    rig.fake.chaos.breakConnections();
    await waitFor(() => p.getState().status === "error", { timeoutMs: 15_000, description: "the budget to be spent" });
    const failed = log.of("replay_failed");
    expect(failed.map((event) => event.budgetSpent)).toEqual([false, false, true]);
    // Spent by the third failure: stamped when it was emitted, right after that failure (the same ms or the next).
    expect(log.of("budget_spent")).toEqual([{ type: "budget_spent", at: expect.any(Number), attempts: 3, code: "SYNC_TORII_ERROR" }]);
    expect((log.of("budget_spent")[0]?.at ?? 0) - (failed[2]?.at ?? Infinity)).toBeGreaterThanOrEqual(0);
    expect((log.of("budget_spent")[0]?.at ?? 0) - (failed[2]?.at ?? 0)).toBeLessThanOrEqual(5);
    expect(p.metrics().budgetSpent).toBe(1);
    rig.fake.chaos.failNextPages(0);
    await p.forceReplay();
    expect(log.events.at(-1)).toMatchObject({ type: "replay_finished" });
    expect(log.of("budget_spent")).toHaveLength(1);
    expect(p.getState().status).toBe("streaming");
  });
});

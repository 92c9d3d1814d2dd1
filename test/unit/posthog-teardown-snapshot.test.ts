import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { createPostHogSink, type PostHogLike } from "../../src/telemetry/posthog-sink";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

let client: MemoryToriiClient;
const pipelines: SyncPipeline[] = [];

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
  client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
});
afterEach(() => {
  for (const p of pipelines.splice(0)) p.cancel();
  vi.useRealTimers();
});

describe("createPostHogSink on teardown", () => {
  it("should send the pending sync_metrics when the pipeline is cancelled, not lose everything since the last one", async () => {
    const captured: Array<{ event: string; props: Record<string, unknown> }> = [];
    const posthog: PostHogLike = { capture: (event, props) => void captured.push({ event, props: props ?? {} }) };
    const { world, components } = createTestWorld();
    const p = createSyncPipeline({
      client,
      world,
      components,
      environment: noPageEnvironment,
      logging: false,
      inspector: false,
      sinks: [createPostHogSink(posthog, { snapshotIntervalMs: 60_000 })],
    });
    pipelines.push(p);
    void p.start();
    // A 40 s session (a match, a visit to one world before switching): 40 updates land after the boot.
    for (let i = 0; i < 40; i += 1) {
      client.emit(rawEntity(1, 200 + i, { "test-Army": army(i) }));
      await vi.advanceTimersByTimeAsync(1_000);
    }
    const applied = p.metrics().applied;
    expect(applied).toBeGreaterThanOrEqual(40);
    p.cancel();
    const metrics = captured.filter((c) => c.event === "sync_metrics");
    // The only snapshot before the fix is the boot's one (status replaying, nothing applied): the session is invisible.
    expect(metrics.at(-1)?.props.applied).toBe(applied);
  });
});

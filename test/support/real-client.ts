import { createWorld } from "@dojoengine/recs";
import { expect } from "vitest";
import { createSyncPipeline, type SyncPipeline, type SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import type { SyncStatus } from "../../src/core/state";
import type { ToriiClientLike } from "../../src/torii/client-types";
import { connectToriiClient, defineBlitzComponents, startFakeTorii, waitFor, type FakeTorii, type WasmToriiClient } from "torii-sync-guard/testing";
import { diffWorld } from "./compare-world";

/**
 * Short heartbeats, so stalls are found in a test's time. The probe keeps a deadline of its own: by default it would be
 * one check interval (100 ms), which a real client on a loaded CI machine sometimes misses, turning a test of some
 * other evidence into a probe_timeout replay.
 */
export const FAST_GUARD = { heartbeatTimeoutMs: 600, heartbeatCheckIntervalMs: 100, probeTimeoutMs: 2_000, maxReplayAttempts: 3, replayPageLimit: 25 };

export type BlitzComponents = ReturnType<typeof defineBlitzComponents>;

export interface RealClientRig {
  readonly fake: FakeTorii;
  readonly client: WasmToriiClient;
  readonly pipeline: SyncPipeline;
  readonly components: BlitzComponents;
  /** Every status the pipeline went through, in order. */
  readonly statuses: SyncStatus[];
}

/**
 * The real wasm client, a fake Torii and a pipeline on them, for integration tests. `teardown()` (call it in
 * afterEach) cancels, frees and closes whatever was started.
 */
export function realClientRigs(): { start(seed: number, extra?: (fake: FakeTorii) => Partial<SyncPipelineOptions>): Promise<RealClientRig>; teardown(): Promise<void> } {
  const started: RealClientRig[] = [];
  return {
    async start(seed, extra = () => ({})) {
      const fake = await startFakeTorii({ seed, world: { seed } });
      const client = await connectToriiClient(fake);
      const components = defineBlitzComponents(createWorld());
      const statuses: SyncStatus[] = [];
      const pipeline = createSyncPipeline({
        client: client as unknown as ToriiClientLike,
        world: createWorld(),
        components,
        worldAddresses: [fake.worldAddress],
        onStateChange: (state, previous) => {
          if (state.status !== previous.status) statuses.push(state.status);
        },
        ...extra(fake),
      });
      const rig = { fake, client, pipeline, components, statuses };
      started.push(rig);
      return rig;
    },
    async teardown() {
      for (const rig of started.splice(0)) {
        rig.pipeline.cancel();
        try {
          rig.client.free();
        } catch {
          // Freed by the test already.
        }
        await rig.fake.close();
      }
    },
  };
}

/** Wait until RECS equals the server for every entity × model; on timeout, fail with what differs. */
export async function converged(fake: FakeTorii, components: BlitzComponents): Promise<number> {
  let diff = diffWorld(fake.world.entities(), components);
  try {
    await waitFor(() => (diff = diffWorld(fake.world.entities(), components)).mismatches.length === 0, { timeoutMs: 15_000, intervalMs: 20 });
  } catch {
    expect(diff.mismatches).toEqual([]);
  }
  return diff.compared;
}

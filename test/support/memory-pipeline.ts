import { afterEach, beforeEach, vi } from "vitest";
import { createSyncPipeline, type SyncPipeline, type SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "./memory-client";
import { createTestWorld, type TestComponents } from "./world";

/** A page that never hides and never goes offline: the guard hears no environment evidence. */
export const quietPage = { onVisibilityChange: () => () => undefined, onOnline: () => () => undefined };

export interface MemoryPipelines {
  /** This test's client (a new one per test). */
  readonly client: MemoryToriiClient;
  /** The components of the last pipeline started. */
  readonly components: TestComponents;
  /** Start a pipeline over this test's client and a fresh RECS world (quiet page, no jitter); cancelled after the test. */
  start(extra?: Partial<SyncPipelineOptions>): SyncPipeline;
}

/**
 * The unit tests' rig for a whole pipeline on fake time over an in-memory Torii client: registers its own beforeEach
 * (fake timers, a new client) and afterEach (the pipeline cancelled, real timers back).
 */
export function memoryPipelines(): MemoryPipelines {
  let client: MemoryToriiClient | undefined;
  let components: TestComponents | undefined;
  let pipeline: SyncPipeline | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
    client = new MemoryToriiClient();
  });
  afterEach(() => {
    pipeline?.cancel();
    pipeline = undefined;
    vi.useRealTimers();
  });
  const present = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`memoryPipelines: no ${what} outside a test`);
    return value;
  };
  return {
    get client() {
      return present(client, "client");
    },
    get components() {
      return present(components, "pipeline started");
    },
    start(extra = {}) {
      const setup = createTestWorld();
      components = setup.components;
      pipeline = createSyncPipeline({ client: present(client, "client"), world: setup.world, components, environment: quietPage, random: () => 0.5, ...extra });
      void pipeline.start();
      return pipeline;
    },
  };
}

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline, type SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const world30 = () => Array.from({ length: 30 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i) }));

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let components: TestComponents;

async function streaming(extra: Partial<SyncPipelineOptions> = {}): Promise<SyncPipeline> {
  const setup = createTestWorld();
  components = setup.components;
  pipeline = createSyncPipeline({ client, world: setup.world, components, environment: noPageEnvironment, random: () => 0.5, ...extra });
  await Promise.all([pipeline.start(), vi.advanceTimersByTimeAsync(100)]);
  expect(components.Army.values.x.size).toBe(30);
  return pipeline;
}

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
  client.rows = world30();
});

afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("mass removal converges safely", () => {
  it("should remove most of the world when a second snapshot agrees it is gone (a round ended while away)", async () => {
    const p = await streaming();
    client.rows = client.rows.slice(0, 5);
    await p.forceReplay();
    expect(components.Army.values.x.size).toBe(5);
    expect(p.metrics()).toMatchObject({ reconciled: 25, reconcileSkipped: 0 });
  });

  it("should remove nothing a second snapshot still lists (the first one was cut short)", async () => {
    const p = await streaming();
    const real = client.getEntities.bind(client);
    let calls = 0;
    client.getEntities = async (query) => {
      calls += 1;
      // The replay's first read answers 5 rows and no cursor; the confirming read sees all 30.
      if (calls === 1) return { items: client.rows.slice(0, 5), next_cursor: undefined };
      return real(query);
    };
    await p.forceReplay();
    expect(components.Army.values.x.size).toBe(30);
    expect(p.metrics()).toMatchObject({ reconciled: 0, reconcileSkipped: 0 });
  });

  it("should never remove anything on an empty snapshot, however often it repeats", async () => {
    const p = await streaming();
    client.rows = [];
    await p.forceReplay();
    await p.forceReplay();
    expect(components.Army.values.x.size).toBe(30);
    expect(p.metrics().reconcileSkipped).toBe(2);
  });

  it("should confirm by the SQL row count with toriiUrl, and refuse when the server still counts them", async () => {
    let n = 30;
    const fetch = (async () => new Response(JSON.stringify([{ newest: 100, n }]))) as unknown as typeof globalThis.fetch;
    const p = await streaming({ toriiUrl: "http://127.0.0.1:1", fetch });
    // A snapshot of 5 while SQL still counts 30: not confirmed.
    const all = client.rows;
    client.rows = all.slice(0, 5);
    await p.forceReplay();
    expect(components.Army.values.x.size).toBe(30);
    expect(p.metrics().reconcileSkipped).toBe(1);
    // The world really lost them: SQL agrees.
    n = 5;
    await p.forceReplay();
    expect(components.Army.values.x.size).toBe(5);
    expect(p.metrics().reconciled).toBe(25);
  });
});

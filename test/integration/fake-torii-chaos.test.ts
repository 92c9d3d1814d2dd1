import { describe, expect, it } from "vitest";
import { releaseAfterEach } from "../support/release-after-each";
import { connectToriiClient, GrpcStatus, startFakeTorii, waitFor } from "../../src/testing";
import type { FakeTorii, WasmEntity } from "../../src/testing";

const ARMY = "blitz-Army";
const army = { keys: [8001] };
const members = { owner: "0x1", coord: { x: 0, y: 0 }, troops: { category: "Knight", tier: "T1", count: 1 }, stamina: { amount: 0, updated_tick: 0 } };
const amountOf = (e: WasmEntity): number => Number((e.models[ARMY]?.["stamina"]?.value as Record<string, { value: string }>)["amount"]?.value);

describe("fake Torii: chaos controls against the real wasm client", () => {
  const torii = releaseAfterEach();

  /** A fake with one army and a subscribed client; `write(n)` sends n stamina updates numbered from 1. */
  async function setup(seed: number): Promise<{ fake: FakeTorii; got: WasmEntity[]; write: (n: number) => void }> {
    const f = torii.fake(await startFakeTorii({ seed, world: { seed, activity: false } }));
    f.world.setModel(army, ARMY, members);
    const client = torii.client(await connectToriiClient(f));
    const got: WasmEntity[] = [];
    torii.keep(await client.onEntityUpdated(undefined, [], (e: WasmEntity) => got.push(e)));
    let next = 1;
    const write = (n: number): void => {
      for (let i = 0; i < n; i += 1) f.world.updateMembers(army, ARMY, { stamina: { amount: next++, updated_tick: 0 } });
    };
    return { fake: f, got, write };
  }

  it("should drop and duplicate messages with the configured probabilities, deterministically per seed", async () => {
    const runs: number[][] = [];
    for (let run = 0; run < 2; run += 1) {
      const { fake: f, got, write } = await setup(51);
      f.chaos.set({ dropProbability: 0.3, duplicateProbability: 0.2 });
      write(200);
      const info = f.chaos.subscribers()[0];
      await waitFor(() => got.length === info?.delivered);
      expect(info?.dropped).toBeGreaterThan(30);
      expect(info?.duplicated).toBeGreaterThan(15);
      runs.push(got.map(amountOf));
      await torii.release();
    }
    expect(runs[0]).toEqual(runs[1]);
  });

  it("should reorder within the window and still deliver every message", async () => {
    const { fake: f, got, write } = await setup(52);
    f.chaos.set({ reorderWindow: 8 });
    write(100);
    await waitFor(() => got.length === 100, { description: "window flushed" });
    const amounts = got.map(amountOf);
    expect(amounts).not.toEqual([...amounts].sort((a, b) => a - b));
    expect([...amounts].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it("should delay deliveries by delayMs", async () => {
    const { fake: f, got, write } = await setup(53);
    f.chaos.set({ delayMs: 250 });
    const sentAt = Date.now();
    write(1);
    await waitFor(() => got.length === 1);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(240);
  });

  it("should hold messages while stalled and release them in order on resume", async () => {
    const { fake: f, got, write } = await setup(54);
    f.chaos.stall();
    write(20);
    expect(f.chaos.subscribers()[0]).toMatchObject({ pending: 20, stalled: true, delivered: 0 });
    f.chaos.resume();
    await waitFor(() => got.length === 20);
    expect(got.map(amountOf)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("should disconnect a subscriber holding more than 256 messages; the client reconnects and signals the gap", async () => {
    const { fake: f, got, write } = await setup(55);
    f.chaos.stall({ subscriptionId: f.chaos.subscribers()[0]?.subscriptionId });
    write(257);
    expect(f.stats().evictions).toBe(1);
    await waitFor(() => got.some((e) => e.hashed_keys === "0x0"), { timeoutMs: 5_000 });
    expect(got).toHaveLength(1);
    write(1);
    await waitFor(() => got.length === 2);
    expect(amountOf(got[1] as WasmEntity)).toBe(258);
  });

  it("should fail and slow the next pages on demand", async () => {
    const f = torii.fake(await startFakeTorii({ seed: 56 }));
    const client = torii.client(await connectToriiClient(f));
    const query = { world_addresses: [], pagination: { limit: 10, cursor: undefined, direction: "Forward" as const, order_by: [] }, clause: undefined, no_hashed_keys: false, models: [], historical: false };

    f.chaos.failNextPages(2, { status: GrpcStatus.UNAVAILABLE, message: "indexer restarting" });
    const failures = await Promise.all([client.getEntities(query).catch((e: unknown) => e), client.getEntities(query).catch((e: unknown) => e)]);
    for (const failure of failures) expect(String(failure)).toMatch(/Unavailable.*indexer restarting/);
    expect((await client.getEntities(query)).items).toHaveLength(10);

    f.chaos.slowNextPages(1, 300);
    const startedAt = Date.now();
    await client.getEntities(query);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
  });

  it("should restart on the same port after a downtime; the client's stream comes back with the gap signal", async () => {
    const { fake: f, got, write } = await setup(57);
    const url = f.url;
    const downAt = Date.now();
    await f.restart({ downtimeMs: 1_200 });
    expect(f.url).toBe(url);
    await waitFor(() => got.some((e) => e.hashed_keys === "0x0"), { timeoutMs: 8_000 });
    // Refused connections back off 1 s, 2 s, …: the first retry after the port reopens is about 3 s after it closed.
    expect(Date.now() - downAt).toBeGreaterThanOrEqual(1_200);
    write(1);
    await waitFor(() => got.length === 2);
    expect(f.world.entity(army)).toBeDefined();
    expect(f.stats().subscribers).toBe(1);
  });
});

import { request } from "node:http";
import type { ClientRequest, IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { FakeToriiError, startFakeTorii, waitFor } from "../../src/testing";
import type { FakeTorii } from "../../src/testing";
import { Methods } from "../../src/testing/protocol/codecs";
import { encodeDataFrame } from "../../src/testing/protocol/grpc-web";

const ARMY = "blitz-Army";
const army = { keys: [8001] };
const members = { owner: "0x1", coord: { x: 0, y: 0 }, troops: { category: "Knight", tier: "T1", count: 1 }, stamina: { amount: 0, updated_tick: 0 } };

interface RawStream {
  readonly req: ClientRequest;
  /** Data frames received after the first (subscription id) message. */
  updates(): number;
  readonly ended: Promise<void>;
}

/** A bare gRPC-web SubscribeEntities stream (no wasm client): counts data frames. */
async function subscribeRaw(fake: FakeTorii): Promise<RawStream> {
  const body = encodeDataFrame(Methods.SubscribeEntities.input.toBinary(Methods.SubscribeEntities.input.create({ world_addresses: [] })));
  let frames = 0;
  let buffered = Buffer.alloc(0);
  let endedResolve: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (endedResolve = resolve));
  const first = new Promise<ClientRequest>((resolve, reject) => {
    const req = request(`${fake.url}/world.World/SubscribeEntities`, { method: "POST", headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" } }, (res: IncomingMessage) => {
      res.on("data", (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 5) {
          const length = buffered.readUInt32BE(1);
          if (buffered.length < 5 + length) break;
          if ((buffered[0] ?? 0) === 0) frames += 1;
          buffered = buffered.subarray(5 + length);
          if (frames === 1) resolve(req);
        }
      });
      res.on("end", endedResolve);
      res.on("close", endedResolve);
      res.on("error", endedResolve);
    });
    req.on("error", () => endedResolve());
    req.on("error", reject);
    req.end(body);
  });
  const req = await first;
  return { req, updates: () => frames - 1, ended };
}

describe("fake Torii chaos controls: evictions, stalls and bad values", () => {
  const fakes: FakeTorii[] = [];
  const streams: RawStream[] = [];
  afterEach(async () => {
    for (const s of streams.splice(0)) s.req.destroy();
    for (const f of fakes.splice(0)) await f.close();
  });

  async function setup(): Promise<{ fake: FakeTorii; stream: RawStream; write: (n: number) => void }> {
    const fake = await startFakeTorii({ seed: 7, world: { seed: 7, activity: false } });
    fakes.push(fake);
    fake.world.setModel(army, ARMY, members);
    const stream = await subscribeRaw(fake);
    streams.push(stream);
    let next = 1;
    const write = (n: number): void => {
      for (let i = 0; i < n; i += 1) fake.world.updateMembers(army, ARMY, { stamina: { amount: next++, updated_tick: 0 } });
    };
    return { fake, stream, write };
  }

  it("should leave no timer spinning after a subscriber is evicted while delay and duplicate chaos are on", async () => {
    const { fake, stream, write } = await setup();
    fake.chaos.set({ delayMs: 50, duplicateProbability: 1, maxPendingMessages: 2 });
    // Update 1 queues 2 frames; update 2's first copy makes 3 > 2 and evicts the subscriber before its duplicate is queued.
    write(2);
    expect(fake.stats().evictions).toBe(1);
    await stream.ended;
    await waitFor(() => fake.stats().subscribers === 0);
    // Every delayed frame was due 50 ms after the write; well past that, nothing of the evicted subscriber may remain.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.stats().timers).toBe(0);
  });

  it("should keep a stalled stream silent: frames delayed before stall({ mode: 'drop' }) are not delivered during the stall", async () => {
    const { fake, stream, write } = await setup();
    fake.chaos.set({ delayMs: 100 });
    write(5);
    fake.chaos.stall({ mode: "drop" });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(fake.chaos.subscribers()[0]).toMatchObject({ stalled: true });
    expect(stream.updates()).toBe(0);
    expect(fake.chaos.subscribers()[0]).toMatchObject({ delivered: 0, dropped: 5, pending: 0 });
    expect(fake.stats().timers).toBe(0);
  });

  it("should hold frames delayed before stall() and send them on resume()", async () => {
    const { fake, stream, write } = await setup();
    fake.chaos.set({ delayMs: 100 });
    write(5);
    fake.chaos.stall();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stream.updates()).toBe(0);
    expect(fake.chaos.subscribers()[0]).toMatchObject({ pending: 5, stalled: true });
    fake.chaos.set({ delayMs: 0 });
    fake.chaos.resume();
    await waitFor(() => stream.updates() === 5);
    expect(fake.stats().timers).toBe(0);
  });

  it("should keep a stalled stream silent: frames in the reorder window when stall() starts are held, not flushed", async () => {
    const { fake, stream, write } = await setup();
    fake.chaos.set({ reorderWindow: 8 });
    write(5); // all five wait in the window (flushed after reorderFlushMs = 25 ms)
    fake.chaos.stall();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stream.updates()).toBe(0);
    fake.chaos.resume();
    await waitFor(() => stream.updates() === 5);
  });

  it("should refuse a NaN delayMs with FAKE_TORII_BAD_OPTION naming the field, and keep delivering", async () => {
    const { fake, stream, write } = await setup();
    expect(() => fake.chaos.set({ delayMs: Number.NaN })).toThrow(expect.objectContaining({ code: "FAKE_TORII_BAD_OPTION", message: expect.stringContaining("delayMs") }));
    expect(fake.chaos.config.delayMs).toBe(0);
    write(3);
    await waitFor(() => stream.updates() === 3);
    expect(fake.chaos.subscribers()[0]?.pending).toBe(0);
  });

  it.each([
    ["delayMs", -1],
    ["jitterMs", Number.POSITIVE_INFINITY],
    ["reorderFlushMs", "25"],
    ["dropProbability", 1.5],
    ["duplicateProbability", -0.1],
    ["reorderWindow", 2.5],
    ["maxPendingMessages", Number.NaN],
  ])("should refuse chaos %s = %s, globally and per subscriber, changing nothing", async (field, value) => {
    const { fake } = await setup();
    const bad = { [field]: value } as never;
    const before = fake.chaos.config;
    for (const options of [undefined, { subscriptionId: 1n }]) {
      let thrown: unknown;
      try {
        fake.chaos.set(bad, options);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(FakeToriiError);
      expect(thrown).toMatchObject({ code: "FAKE_TORII_BAD_OPTION", message: expect.stringContaining(field) });
    }
    expect(fake.chaos.config).toEqual(before);
  });

  it("should refuse a bad initial chaos config at startFakeTorii, before it listens", async () => {
    await expect(startFakeTorii({ seed: 7, world: { seed: 7, activity: false }, chaos: { dropProbability: 2 } })).rejects.toMatchObject({
      code: "FAKE_TORII_BAD_OPTION",
      message: expect.stringContaining("dropProbability"),
    });
  });

  it("should accept the edges of each range", async () => {
    const { fake } = await setup();
    fake.chaos.set({ delayMs: 0, jitterMs: 0.5, reorderWindow: 0, reorderFlushMs: 0, dropProbability: 0, duplicateProbability: 1, maxPendingMessages: 0 });
    fake.chaos.set({ dropProbability: 1, duplicateProbability: 0, maxPendingMessages: 256 });
    expect(fake.chaos.config).toMatchObject({ jitterMs: 0.5, dropProbability: 1, maxPendingMessages: 256 });
  });
});

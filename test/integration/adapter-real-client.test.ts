import { describe, expect, it } from "vitest";
import { releaseAfterEach } from "../support/release-after-each";
import { nullSink } from "../support/sinks";
import { SyncError } from "../../src/core/errors";
import type { ToriiClientLike } from "../../src/torii/client-types";
import { createToriiSource } from "../../src/torii/source";
import { connectToriiClient, startFakeTorii, waitFor, type FakeTorii, type WasmToriiClient } from "torii-sync-guard/testing";

const torii = releaseAfterEach();
let fake: FakeTorii | undefined;
let client: WasmToriiClient | undefined;

describe("the Torii adapter with the real client", () => {
  it("should fail a subscribe with SYNC_SUBSCRIBE_TIMEOUT when the server is down, and release the subscription that arrives late", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 61, world: { seed: 61, activity: false } }));
    client = torii.client(await connectToriiClient(fake));
    const f = fake;
    // Down for 2 s: the client's subscribe hangs (it retries by itself with backoff and settles once Torii is back).
    const restarted = f.restart({ downtimeMs: 2_000 });
    await waitFor(() => f.stats().sockets === 0, { description: "the server to go down" });
    const source = createToriiSource(client as unknown as ToriiClientLike, { subscribeTimeoutMs: 500, worldAddresses: [f.worldAddress] });
    const started = Date.now();
    const error = await source.subscribe("entities", nullSink).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).code).toBe("SYNC_SUBSCRIBE_TIMEOUT");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(source.openStreams()).toBe(0);
    // Torii comes back: the client's late subscription reaches the server and the adapter cancels it at once, so
    // nothing is left streaming (and the client can be freed: no subscribe is pending any more).
    await restarted;
    await waitFor(() => (f.stats().requests.SubscribeEntities ?? 0) >= 1 && f.stats().subscribers === 0, { timeoutMs: 15_000, description: "the late subscription to be released" });
  });

  it("should make cancel() of a real subscription idempotent, and close the stream on the server", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 62, world: { seed: 62, activity: false } }));
    client = torii.client(await connectToriiClient(fake));
    const source = createToriiSource(client as unknown as ToriiClientLike, { worldAddresses: [fake.worldAddress] });
    const handle = await source.subscribe("entities", nullSink);
    expect(fake.stats().subscribers).toBe(1);
    handle.cancel();
    expect(() => handle.cancel()).not.toThrow();
    expect(handle.cancelled).toBe(true);
    await waitFor(() => fake?.stats().subscribers === 0, { description: "the server to see the stream close" });
    expect(source.openStreams()).toBe(0);
  });

  it("should wrap the client's string rejections in SyncErrors with a code", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 63, world: { seed: 63, activity: false } }));
    client = torii.client(await connectToriiClient(fake));
    fake.chaos.failNextPages(1, { message: "indexer restarting" });
    const source = createToriiSource(client as unknown as ToriiClientLike, { worldAddresses: [fake.worldAddress] });
    const error = await source.fetchPage("entities", undefined, 10, nullSink).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).code).toBe("SYNC_TORII_ERROR");
    expect((error as SyncError).message).toContain("indexer restarting");
  });
});

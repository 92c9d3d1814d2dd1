import { connect } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GrpcStatus, startFakeTorii } from "../../src/testing";
import type { FakeTorii } from "../../src/testing";
import { HttpHost } from "../../src/testing/server/http-host";
import { Methods } from "../../src/testing/protocol/codecs";
import { encodeDataFrame } from "../../src/testing/protocol/grpc-web";

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** One RetrieveEntities call: a failure is answered trailers-only (grpc-status in the headers); a served page has none. */
async function retrieve(fake: FakeTorii): Promise<string | null> {
  const body = encodeDataFrame(
    Methods.RetrieveEntities.input.toBinary(Methods.RetrieveEntities.input.create({ query: { pagination: { limit: 1, cursor: "", direction: 0, order_by: [] } } as never })),
  );
  const res = await fetch(`${fake.url}/world.World/RetrieveEntities`, { method: "POST", headers: { "content-type": "application/grpc-web+proto" }, body: new Uint8Array(body) });
  await res.arrayBuffer();
  return res.headers.get("grpc-status");
}

describe("fake Torii lifecycle: close and restart", () => {
  const fakes: FakeTorii[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const f of fakes.splice(0)) await f.close();
  });

  it("should not be listening after close(), even when close() lands while restart() is re-opening the port", async () => {
    const fake = await startFakeTorii({ seed: 3, world: { seed: 3, activity: false } });
    fakes.push(fake);
    const port = Number(new URL(fake.url).port);
    const listen = HttpHost.prototype.listen;
    let closing: Promise<void> | undefined;
    const listenSpy = vi.spyOn(HttpHost.prototype, "listen").mockImplementation(function (this: HttpHost, p: number) {
      // A test's afterEach (or a timeout) closing the fake while restart() is between its `closed` check and the bind.
      closing ??= fake.close();
      return listen.call(this, p);
    });
    await fake.restart();
    await closing;
    const accepting = await portAccepts(port);
    const host = listenSpy.mock.contexts[0] as HttpHost | undefined;
    vi.restoreAllMocks();
    await host?.close(); // do not leave the leaked listener behind in this worker
    expect(accepting).toBe(false);
  });

  it("should keep queued page faults across restart(): failNextPages(n) fails the next n pages, also after a restart", async () => {
    const fake = await startFakeTorii({ seed: 4, world: { seed: 4, activity: false } });
    fakes.push(fake);
    fake.chaos.failNextPages(2);
    await fake.restart();
    expect(await retrieve(fake)).toBe(String(GrpcStatus.UNAVAILABLE));
    expect(await retrieve(fake)).toBe(String(GrpcStatus.UNAVAILABLE));
    expect(await retrieve(fake)).toBeNull();
  });

  it("should clear queued page faults on chaos.reset()", async () => {
    const fake = await startFakeTorii({ seed: 4, world: { seed: 4, activity: false } });
    fakes.push(fake);
    fake.chaos.failNextPages(2);
    fake.chaos.reset();
    expect(await retrieve(fake)).toBeNull();
  });

  it("should close a listener that was still binding when HttpHost.close() was called", async () => {
    const host = new HttpHost((_request, response) => response.end());
    const listening = host.listen(0);
    const closing = host.close();
    const port = await listening;
    await closing;
    expect(host.listening).toBe(false);
    expect(await portAccepts(port)).toBe(false);
  });
});

import { createWorld } from "@dojoengine/recs";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import { ArmyModel, defineContractComponents, TileModel, waitFor, type FakeTorii } from "torii-sync-guard/testing";
import { converged, FAST_GUARD, realClientRigs, type BlitzComponents } from "../support/real-client";

const rigs = realClientRigs();
const servers: Array<{ server: Server; sockets: Set<Socket> }> = [];
afterEach(async () => {
  await rigs.teardown();
  for (const { server, sockets } of servers.splice(0)) {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

const GUARD = { ...FAST_GUARD, probePageSize: 10 };

async function boot(seed: number, extra: (fake: FakeTorii) => Partial<SyncPipelineOptions> = () => ({})) {
  const rig = await rigs.start(seed, (fake) => ({ guard: GUARD, backoff: { baseMs: 50, maxMs: 200 }, ...extra(fake) }));
  await rig.pipeline.start();
  return rig;
}

/** An HTTP server on 127.0.0.1 that accepts requests and never answers them: a hung `/sql`. */
async function blackHole(): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer(() => undefined);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push({ server, sockets });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("stall detection and deadlines with the real Torii client", () => {
  it("should catch a silent hold stall without toriiUrl, by pages that rotate through the scope, and converge", async () => {
    const { fake: f, pipeline: p, components, statuses } = await boot(41);
    f.chaos.stall({ mode: "hold" });
    for (let block = 0; block < 10; block += 1) f.world.step(1);
    await waitFor(() => p.metrics().evidence.server_ahead !== undefined, { timeoutMs: 15_000, description: "a rotating probe to find a changed entity" });
    expect(p.metrics().gaps).toBe(0);
    expect(statuses).toContain("lagging");
    await waitFor(() => p.getState().status === "streaming", { timeoutMs: 10_000 });
    f.chaos.resume();
    await converged(f, components);
  });

  it("should bring back writes a dropping stall lost, once the stream flows again (the audit of recent writes)", async () => {
    const { fake: f, pipeline: p, components } = await boot(44, (server) => ({ toriiUrl: server.url }));
    f.chaos.stall({ mode: "drop" });
    for (let block = 0; block < 5; block += 1) f.world.step(1);
    await waitFor(() => p.metrics().evidence.server_ahead !== undefined && p.getState().status === "streaming", { timeoutMs: 10_000, description: "the silence probe's replay" });
    // Still stalled: these are lost too, and after resume the stream flows on, so silence never comes again.
    for (let block = 0; block < 5; block += 1) f.world.step(1);
    f.chaos.resume();
    const replaysAtResume = p.metrics().replays;
    const steps = setInterval(() => f.world.step(1), 150);
    try {
      await waitFor(() => p.metrics().replays > replaysAtResume, { timeoutMs: 10_000, description: "the audit to catch the lost writes while the stream flows" });
    } finally {
      clearInterval(steps);
    }
    await converged(f, components);
  });

  it("should finish replays with toriiUrl when the newest rows belong to models the game does not bind", async () => {
    const { fake: f, pipeline: p } = await boot(42, (server) => ({
      toriiUrl: server.url,
      // Army and Tile only: Structure and Production (which share entities) are not synced.
      components: defineContractComponents(createWorld(), [ArmyModel, TileModel]) as unknown as BlitzComponents,
    }));
    expect(p.getState().status).toBe("streaming");
    const producer = f.world.idsWith("blitz-Production", 1)[0] as string;
    f.world.step(1, { quiet: true });
    f.world.updateMembers(producer, "blitz-Production", { balance: 123n });
    await p.forceReplay();
    expect(p.getState()).toMatchObject({ status: "streaming", replayAttempts: 0 });
    expect(p.metrics().replays).toBe(2);
  });

  it("should not wedge when /sql never answers: the replay goes on past its deadline, and a forced one starts after the call", async () => {
    const hung = await blackHole();
    const { fake: f, pipeline: p, components } = await rigs.start(43, () => ({ guard: GUARD, toriiUrl: hung, sqlTimeoutMs: 300 }));
    const boot = p.start();
    const forced = p.forceReplay();
    await boot;
    expect(p.metrics().replays).toBe(1);
    for (let block = 0; block < 5; block += 1) f.world.step(1);
    await forced;
    expect(p.metrics().replays).toBe(2);
    expect(p.getState().status).toBe("streaming");
    await converged(f, components);
  });
});

// @vitest-environment jsdom
// posthog-js is a browser library: it runs here in jsdom, with its real request queue and transport (fetch), against a
// capture endpoint on 127.0.0.1 that records what arrives. Nothing of posthog-js is mocked.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { gunzipSync } from "node:zlib";
import posthog, { type PostHog } from "posthog-js";
import { afterEach, describe, expect, it } from "vitest";
import type { SyncEvent } from "../../src/core/events";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline, type SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import { createMetricsSink } from "../../src/telemetry/metrics-sink";
import { createPostHogSink } from "../../src/telemetry/posthog-sink";
import { waitFor } from "../../src/testing/harness/wait-for";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

/** A player's address and the id of an entity keyed by it: neither may reach PostHog by default. */
const PLAYER = 0x5ca1ab1e_0ddba11_c0ffeen;
const ENTITY = "0xdeadbeef";
const PADDED_ENTITY = `0x${"deadbeef".padStart(64, "0")}`;
const army = (x: number, owner = 1n) => ({ army_id: ty.u32(1), owner: ty.address(owner), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const ZERO_ENTITY = { hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0 };

interface Captured {
  readonly event: string;
  readonly properties: Record<string, unknown>;
}

interface CaptureServer {
  readonly url: string;
  readonly requests: Array<{ readonly path: string; readonly raw: string }>;
  events(): Captured[];
  close(): Promise<void>;
}

/**
 * PostHog's wire formats: JSON; gzip (posthog-js gzips once it has sent a first batch, as `text/plain`, announced by
 * `compression=gzip-js` or only by the gzip magic bytes); or a form with base64 `data`.
 */
function decode(request: IncomingMessage, body: Buffer): string {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  let bytes = body;
  const gzipped = body[0] === 0x1f && body[1] === 0x8b;
  if (gzipped || url.searchParams.get("compression") === "gzip-js" || request.headers["content-encoding"] === "gzip") bytes = gunzipSync(bytes);
  const text = bytes.toString("utf8");
  if (String(request.headers["content-type"]).includes("x-www-form-urlencoded")) {
    const data = new URLSearchParams(text).get("data") ?? "";
    return Buffer.from(data, "base64").toString("utf8");
  }
  return text;
}

async function startCaptureServer(): Promise<CaptureServer> {
  const requests: Array<{ path: string; raw: string }> = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method !== "OPTIONS") requests.push({ path: new URL(request.url ?? "/", "http://127.0.0.1").pathname, raw: decode(request, Buffer.concat(chunks)) });
      response.writeHead(200, { "access-control-allow-origin": "*", "access-control-allow-headers": "*", "content-type": "application/json" });
      response.end('{"status":1}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    events() {
      return requests.flatMap(({ raw }) => {
        const body = JSON.parse(raw) as { batch?: Captured[] } | Captured[] | Captured;
        return Array.isArray(body) ? body : "batch" in body && body.batch !== undefined ? body.batch : [body as Captured];
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let instances = 0;
/** A real posthog-js instance pointed at the capture server, with everything it does on its own turned off. */
function initPostHog(server: CaptureServer): PostHog {
  instances += 1;
  const instance = posthog.init(
    "phc_torii_sync_guard_test",
    {
      api_host: server.url,
      autocapture: false,
      capture_pageview: false,
      capture_pageleave: false,
      disable_session_recording: true,
      advanced_disable_flags: true,
      disable_surveys: true,
      disable_external_dependency_loading: true,
      persistence: "memory",
      request_queue_config: { flush_interval_ms: 250 },
    },
    `sync-test-${instances}`,
  );
  if (instance === undefined) throw new Error("posthog.init returned no instance");
  return instance;
}

const servers: CaptureServer[] = [];
const pipelines: SyncPipeline[] = [];
let client: MemoryToriiClient;

async function boot(extra: Partial<SyncPipelineOptions>): Promise<SyncPipeline> {
  const { world, components } = createTestWorld();
  const p = createSyncPipeline({ client, world, components, environment: noPageEnvironment, logging: false, ...extra });
  pipelines.push(p);
  await p.start();
  return p;
}

async function serverWithPostHog(): Promise<{ server: CaptureServer; ph: PostHog }> {
  const server = await startCaptureServer();
  servers.push(server);
  client = new MemoryToriiClient();
  client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
  return { server, ph: initPostHog(server) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sync = (events: Captured[]) => events.filter((event) => event.event.startsWith("sync_"));

afterEach(async () => {
  for (const p of pipelines.splice(0)) p.cancel();
  for (const server of servers.splice(0)) await server.close();
});

describe("createPostHogSink with the real posthog-js", () => {
  it("should capture sync_* events and sync_metrics snapshots with the seed's figures and no personal data", async () => {
    const { server, ph } = await serverWithPostHog();
    client.rows.push(rawEntity(ENTITY, 100, { "test-Army": army(2, PLAYER) }));
    const p = await boot({ inspector: "torii-sync:game", sinks: [createPostHogSink(ph, { snapshotIntervalMs: 300, properties: { build: "test" } })] });
    const bad = { ...army(3, PLAYER), x: ty.raw("u32", `owner ${PLAYER.toString(16)}`) };
    client.emit(rawEntity(ENTITY, 200, { "test-Army": bad }));
    client.emit(ZERO_ENTITY);
    await waitFor(() => p.metrics().replays >= 2 && p.getState().status === "streaming", { timeoutMs: 5_000 });
    await sleep(400);
    p.reportHardReload();
    await waitFor(() => sync(server.events()).some((event) => event.event === "sync_hard_reload_requested"), { timeoutMs: 5_000 });

    const events = sync(server.events());
    const names = new Set(events.map((event) => event.event));
    for (const name of ["sync_state_changed", "sync_replay_started", "sync_replay_finished", "sync_gap", "sync_evidence", "sync_rejected", "sync_metrics", "sync_hard_reload_requested"]) {
      expect(names, name).toContain(name);
    }
    const finished = events.find((event) => event.event === "sync_replay_finished");
    expect(finished?.properties).toMatchObject({ pipeline: "torii-sync:game", build: "test", pages: expect.any(Number), duration_ms: expect.any(Number), $process_person_profile: false });
    expect(events.find((event) => event.event === "sync_rejected")?.properties).toMatchObject({ code: "SYNC_BAD_VALUE", model: "test-Army" });
    expect(events.find((event) => event.event === "sync_evidence")?.properties).toMatchObject({ evidence: "gap" });
    expect(events.find((event) => event.event === "sync_replay_started" && event.properties.reason === "gap")).toBeDefined();
    const metrics = events.filter((event) => event.event === "sync_metrics").at(-1)?.properties;
    expect(metrics).toMatchObject({
      queue_depth: 0,
      dropped_total: expect.any(Number),
      dropped_stale: expect.any(Number),
      last_applied_seconds: 100,
      last_applied_iso: "1970-01-01T00:01:40.000Z",
      replay_ms_p50: expect.any(Number),
      replay_ms_p95: expect.any(Number),
      last_replay_ms: expect.any(Number),
      connection: "open",
      lag_ms: 0,
      probes: 0,
      gaps: 1,
      budget_spent: 0,
      replays: 2,
    });
    expect(metrics).toHaveProperty("indexer_head_block");
    // Nothing that identifies a player: no entity id (minimal or padded), no address, no free text.
    const wire = server.requests.map((request) => request.raw.toLowerCase()).join("\n");
    expect(wire).not.toContain("deadbeef");
    expect(wire).not.toContain(PLAYER.toString(16));
    for (const event of events) {
      expect(Object.keys(event.properties)).not.toContain("entity_id");
      expect(Object.keys(event.properties)).not.toContain("message");
      expect(Object.keys(event.properties)).not.toContain("detail");
    }
  });

  it("should send hashed entity ids only when includeEntityIds is set", async () => {
    const { server, ph } = await serverWithPostHog();
    const p = await boot({ sinks: [createPostHogSink(ph, { includeEntityIds: true, events: ["rejected"] })] });
    client.emit(rawEntity(ENTITY, 200, { "test-Army": { ...army(3), x: ty.raw("u32", "wrong") } }));
    await waitFor(() => sync(server.events()).some((event) => event.event === "sync_rejected"), { timeoutMs: 5_000 });
    expect(sync(server.events()).find((event) => event.event === "sync_rejected")?.properties.entity_id).toBe(PADDED_ENTITY);
    expect(p.metrics().rejected).toBe(1);
  });

  it("should send at most one sync_metrics per snapshotIntervalMs while the store changes all the time", async () => {
    const { server, ph } = await serverWithPostHog();
    const p = await boot({ sinks: [createPostHogSink(ph, { snapshotIntervalMs: 400, events: [] })] });
    const startedAt = Date.now();
    for (let i = 0; i < 50; i += 1) {
      client.emit(rawEntity(1, 200 + i, { "test-Army": army(i) }));
      await sleep(40);
    }
    const busyMs = Date.now() - startedAt;
    await sleep(800);
    const snapshots = sync(server.events());
    expect(snapshots.every((event) => event.event === "sync_metrics")).toBe(true);
    const times = snapshots.map((event) => event.properties.at_ms as number);
    for (let i = 1; i < times.length; i += 1) expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(400);
    expect(snapshots.length).toBeGreaterThanOrEqual(3);
    expect(snapshots.length).toBeLessThanOrEqual(Math.ceil(busyMs / 400) + 2);
    // The trailing snapshot carries the newest figures.
    expect(snapshots.at(-1)?.properties.last_applied_seconds).toBe(249);
    expect(p.metrics().lastApplied?.seconds).toBe(249);
  });

  it("should sample events by sampleRate, always sending state changes and a spent budget", async () => {
    const { server, ph } = await serverWithPostHog();
    const draws = [0.1, 0.9, 0.3, 0.7, 0.45, 0.55];
    let call = 0;
    const random = () => draws[call++ % draws.length] as number;
    const all: SyncEvent[] = [];
    const p = await boot({
      backoff: { baseMs: 10, maxMs: 20 },
      sinks: [createMetricsSink((record) => record.kind === "event" && all.push(record.event)), createPostHogSink(ph, { sampleRate: 0.5, random, snapshotIntervalMs: 60_000 })],
    });
    client.emit(ZERO_ENTITY);
    await waitFor(() => p.metrics().replays >= 2, { timeoutMs: 5_000 });
    client.getEntities = () => Promise.reject("torii: down");
    void p.forceReplay();
    await waitFor(() => p.getState().status === "error", { timeoutMs: 5_000 });
    await waitFor(() => sync(server.events()).some((event) => event.event === "sync_budget_spent"), { timeoutMs: 5_000 });
    await sleep(400);

    const always = new Set(["state", "budget_spent", "hard_reload_requested"]);
    const sampled = all.filter((event) => !always.has(event.type));
    expect(call).toBe(sampled.length);
    const expected = all.filter((event) => always.has(event.type) || (draws[sampled.indexOf(event) % draws.length] as number) < 0.5);
    const name = (type: string) => (type === "state" ? "sync_state_changed" : `sync_${type}`);
    const sent = sync(server.events()).filter((event) => event.event !== "sync_metrics");
    expect(sent.map((event) => event.event)).toEqual(expected.map((event) => name(event.type)));
    expect(sent.filter((event) => event.event === "sync_state_changed")).toHaveLength(all.filter((event) => event.type === "state").length);
    expect(sent.filter((event) => event.event === "sync_budget_spent")).toHaveLength(1);
    expect(sent.length).toBeLessThan(all.length);
  });

  it("should cap a flood of rejected input at maxEventsPerMinute, and still count all of it in sync_metrics", async () => {
    const { server, ph } = await serverWithPostHog();
    const p = await boot({ sinks: [createPostHogSink(ph, { maxEventsPerMinute: 5, events: ["rejected"], snapshotIntervalMs: 200 })] });
    for (let i = 0; i < 50; i += 1) client.emit(rawEntity(1_000 + i, 200, { "test-Army": { ...army(3), x: ty.raw("u32", "wrong") } }));
    await waitFor(() => p.metrics().rejected === 50, { timeoutMs: 5_000 });
    await sleep(600);
    const rejected = sync(server.events()).filter((event) => event.event === "sync_rejected");
    expect(rejected).toHaveLength(5);
    expect(sync(server.events()).filter((event) => event.event === "sync_metrics").at(-1)?.properties).toMatchObject({ rejected: 50, rejected_SYNC_BAD_VALUE: 50 });
  });

  it("should send nothing at all when no sink is given", async () => {
    const { server } = await serverWithPostHog();
    const p = await boot({});
    client.emit(ZERO_ENTITY);
    client.emit(rawEntity(ENTITY, 200, { "test-Army": { ...army(3), x: ty.raw("u32", "wrong") } }));
    await waitFor(() => p.metrics().replays >= 2, { timeoutMs: 5_000 });
    p.reportHardReload();
    // Several of posthog-js's flush intervals.
    await sleep(1_000);
    expect(server.requests).toEqual([]);
  });
});

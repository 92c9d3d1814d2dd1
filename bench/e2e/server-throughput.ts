// How fast the fake Torii publishes entity updates to one real wasm client (@dojoengine/torii-wasm) subscriber.
// Run: node --import tsx bench/e2e/server-throughput.ts [--count 60000] [--armies 1000] [--rates max,10000,30000]
//        [--thread same|worker|both] [--client wasm|raw] [--kit path/to/src/testing/index.ts] [--json out.json]
//
// Each run starts a fresh fake with `--armies` armies, connects the real client, subscribes to everything, then
// publishes `--count` stamina updates (one member update each, through the world's normal write API) with
// `driveWrites`, as fast as possible ("max") or at a target rate. It counts the client's callbacks and reports:
//   published/s  updates written (and so published) per second, by the driver's clock;
//   received/s   callbacks per second, from the first publish to the last callback;
//   p50/p99 ms   publish → callback latency, from the publish time each update carries in `stamina.updated_tick`;
//   CPU µs/update  CPU time of the whole process (server and client, all threads) per update: steadier than the
//                  rates when other work shares the machine.
// `--thread same` runs server and client in this one thread (the way the integration tests run: they compete for it);
// `--thread worker` runs the fake in a worker thread, so the figures are the client's own limits.
// `--client raw` replaces the wasm client with a reader that only counts frames (no latency): the fake Torii alone.
// `--kit` points at another checkout's src/testing/index.ts to take before/after figures with the same workload.
import os from "node:os";
import { writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { armyUpdate, nowMicros, publishedAt, seedArmies } from "./army-updates";
import { startFakeToriiThread } from "./fake-torii-thread";
import { subscribeRaw } from "./raw-subscriber";

type Kit = typeof import("../../src/testing/index");
type Thread = "same" | "worker";

interface Args {
  readonly count: number;
  readonly armies: number;
  readonly rates: readonly number[];
  readonly threads: readonly Thread[];
  readonly client: "wasm" | "raw";
  readonly kit: string;
  readonly json: string | undefined;
}

interface RunResult {
  readonly thread: Thread;
  readonly target: string;
  readonly published: number;
  readonly received: number;
  readonly publishedPerSecond: number;
  readonly receivedPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** CPU time of the whole process (server, client, every thread) per published update. */
  readonly cpuMicrosPerUpdate: number;
  readonly reconnects: number;
}

function parseArgs(argv: readonly string[]): Args {
  const value = (name: string): string | undefined => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const thread = value("thread") ?? "both";
  return {
    count: Number(value("count") ?? 60_000),
    armies: Number(value("armies") ?? 1_000),
    rates: (value("rates") ?? "max,10000,30000").split(",").map((r) => (r === "max" ? Number.POSITIVE_INFINITY : Number(r))),
    threads: thread === "both" ? ["same", "worker"] : [thread as Thread],
    client: value("client") === "raw" ? "raw" : "wasm",
    kit: value("kit") ?? fileURLToPath(new URL("../../src/testing/index.ts", import.meta.url)),
    json: value("json"),
  };
}

/** The server side of one run: where it listens, and how to make it publish. */
interface Server {
  readonly url: string;
  readonly worldAddress: string;
  drive(count: number, ratePerSecond: number): Promise<{ perSecond: number }>;
  close(): Promise<void>;
}

async function sameThreadServer(kit: Kit, armies: number): Promise<Server> {
  const fake = await kit.startFakeTorii({ seed: 1, world: { seed: 1, activity: false } });
  seedArmies(fake.world, armies);
  const write = armyUpdate(fake.world, armies);
  return {
    url: fake.url,
    worldAddress: fake.worldAddress,
    drive: async (count, ratePerSecond) => await kit.driveWrites(fake.world, { count, ratePerSecond, write }).done,
    close: () => fake.close(),
  };
}

async function workerServer(kitPath: string, armies: number): Promise<Server> {
  return await startFakeToriiThread(armies, kitPath);
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/** The subscriber side of one run: the real wasm client, or the raw frame counter. */
interface Subscriber {
  received(): number;
  readonly latencies: Float64Array;
  lastAt(): number;
  reconnects(): number;
  close(): void;
}

async function wasmSubscriber(kit: Kit, server: Server, count: number): Promise<Subscriber> {
  const client = await kit.connectToriiClient(server);
  const latencies = new Float64Array(count);
  let received = 0;
  let reconnects = 0;
  let lastAt = 0;
  const subscription = await client.onEntityUpdated(undefined, [server.worldAddress], (entity: { hashed_keys: string; models: Record<string, Record<string, unknown>> }) => {
    if (entity.hashed_keys === "0x0") {
      reconnects += 1;
      return;
    }
    const sentAt = publishedAt(entity);
    lastAt = nowMicros();
    if (sentAt !== undefined && received < latencies.length) latencies[received] = (lastAt - sentAt) / 1000;
    received += 1;
  });
  return {
    received: () => received,
    latencies,
    lastAt: () => lastAt,
    reconnects: () => reconnects,
    close() {
      subscription.cancel();
      client.free();
    },
  };
}

async function rawSubscriber(server: Server): Promise<Subscriber> {
  const raw = await subscribeRaw(server.url);
  let lastAt = 0;
  let seen = 0;
  // The raw reader keeps no per-message times; the last arrival is sampled while waiting for the drain.
  const sample = setInterval(() => {
    if (raw.received() !== seen) {
      seen = raw.received();
      lastAt = nowMicros();
    }
  }, 1);
  return {
    received: raw.received,
    latencies: new Float64Array(0),
    lastAt: () => lastAt,
    reconnects: () => 0,
    close() {
      clearInterval(sample);
      raw.cancel();
    },
  };
}

async function runOnce(kit: Kit, args: Args, thread: Thread, rate: number): Promise<RunResult> {
  const server = thread === "same" ? await sameThreadServer(kit, args.armies) : await workerServer(args.kit, args.armies);
  const subscriber = args.client === "raw" ? await rawSubscriber(server) : await wasmSubscriber(kit, server, args.count);

  const startedAt = nowMicros();
  const cpuBefore = process.cpuUsage();
  const report = await server.drive(args.count, rate);
  // Wait for the subscriber to drain: stop when everything arrived or nothing arrived for 3 s.
  let seen = -1;
  let quietSince = Date.now();
  while (subscriber.received() < args.count && Date.now() - quietSince < 3_000) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (subscriber.received() !== seen) {
      seen = subscriber.received();
      quietSince = Date.now();
    }
  }
  const cpu = process.cpuUsage(cpuBefore);
  const received = subscriber.received();
  const lastAt = subscriber.lastAt();
  subscriber.close();
  await server.close();

  const sorted = subscriber.latencies.subarray(0, Math.min(received, subscriber.latencies.length)).sort();
  return {
    thread,
    target: rate === Number.POSITIVE_INFINITY ? "max" : `${rate}/s`,
    published: args.count,
    received,
    publishedPerSecond: report.perSecond,
    receivedPerSecond: received > 0 ? (received * 1e6) / (lastAt - startedAt) : 0,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    cpuMicrosPerUpdate: (cpu.user + cpu.system) / args.count,
    reconnects: subscriber.reconnects(),
  };
}

const args = parseArgs(process.argv.slice(2));
const kit = (await import(pathToFileURL(args.kit).href)) as Kit;
const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "–");

console.log(`fake Torii → ${args.client === "raw" ? "raw frame counter" : "real wasm client"}: ${args.count.toLocaleString("en-US")} member updates over ${args.armies} armies; kit ${args.kit}`);
console.log(`Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log("| thread | target | published/s | received/s | received | p50 ms | p99 ms | max ms | CPU µs/update |");
console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|");
const results: RunResult[] = [];
for (const thread of args.threads) {
  for (const rate of args.rates) {
    const r = await runOnce(kit, args, thread, rate);
    results.push(r);
    const lost = r.received < r.published ? ` (${r.published - r.received} missing${r.reconnects > 0 ? `, ${r.reconnects} reconnects` : ""})` : "";
    console.log(`| ${r.thread} | ${r.target} | ${fmt(r.publishedPerSecond)} | ${fmt(r.receivedPerSecond)} | ${fmt(r.received)}${lost} | ${fmt(r.p50Ms, 1)} | ${fmt(r.p99Ms, 1)} | ${fmt(r.maxMs, 1)} | ${fmt(r.cpuMicrosPerUpdate, 1)} |`);
  }
}
if (args.json !== undefined) writeFileSync(args.json, `${JSON.stringify({ args: { ...args, rates: args.rates.map(String) }, loadAverage: os.loadavg(), results }, null, 2)}\n`);
process.exit(0);

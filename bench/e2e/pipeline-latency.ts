// End to end through the real wasm client: a fake Torii in a worker thread publishes stamina updates to 1,000 armies
// at a target rate; our pipeline (defaults) subscribes through @dojoengine/torii-wasm and writes RECS. Each update
// carries its publish time (µs on a clock both threads share), so every update's publish → RECS latency is measured:
// the time until a RECS write of its army carries it or a newer one (an update the queue coalesced away is visible
// when the newer one lands). Run by scenarios/end-to-end.ts in a process of its own; prints one JSON line.
import { createWorld, getComponentValue, type Entity } from "@dojoengine/recs";
import { createSyncPipeline } from "../../src/sync/index";
import type { ToriiClientLike } from "../../src/sync/index";
import { connectToriiClient, defineBlitzComponents } from "../../src/testing/index";
import { ARMY, nowMicros, publishedAt } from "./army-updates";
import { startFakeToriiThread } from "./fake-torii-thread";

export interface E2ePhasePlan {
  /** Target publish rate, updates/s; `null`: as fast as the fake can. */
  readonly rate: number | null;
  readonly count: number;
  readonly warmup: boolean;
}

export interface E2ePlan {
  readonly armies: number;
  readonly phases: readonly E2ePhasePlan[];
}

export interface E2ePhaseResult {
  readonly plan: E2ePhasePlan;
  readonly published: number;
  readonly publishedPerSecond: number;
  /** How far the fake's last write ran behind its schedule, ms (it could not keep the rate when large). */
  readonly publisherBehindMs: number;
  /** Callbacks the pipeline got from the wasm client in this phase. */
  readonly received: number;
  /** Received ÷ (first publish → last update visible in RECS), per second. */
  readonly absorbedPerSecond: number;
  /** Publish → RECS, every update received, ms. */
  readonly recs: Percentiles;
  /** Publish → the wasm client's callback, ms: the transport's share. */
  readonly callback: Percentiles;
  readonly recsWrites: number;
  /** Armies whose RECS stamina is not the last one received, once the phase settled. */
  readonly staleArmies: number;
  /** Updates received but never seen in RECS (counted when the phase settled). */
  readonly unresolved: number;
  readonly evictions: number;
  readonly replays: number;
  /** Process CPU (this thread, the fake's worker, everything) per published update, µs. */
  readonly cpuMicrosPerUpdate: number;
  readonly durationMs: number;
}

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly count: number;
}

/** A phase is over once every update is in RECS, or nothing moved for this long. */
const QUIET_MS = 3_000;

/** Per army, the publish times (µs) of updates received and not yet seen in RECS, oldest first. */
class ArmyBacklog {
  private readonly ticks: Float64Array;
  private head = 0;
  private tail = 0;

  constructor(capacity: number) {
    this.ticks = new Float64Array(capacity);
  }

  push(tick: number): void {
    if (this.tail === this.ticks.length) {
      this.ticks.copyWithin(0, this.head, this.tail);
      this.tail -= this.head;
      this.head = 0;
    }
    this.ticks[this.tail++] = tick;
  }

  /** Resolve every update no newer than `tick`, handing each one's latency to `record`. */
  resolveUpTo(tick: number, nowUs: number, record: (ms: number) => void): void {
    while (this.head < this.tail && (this.ticks[this.head] as number) <= tick) record((nowUs - (this.ticks[this.head++] as number)) / 1000);
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  get size(): number {
    return this.tail - this.head;
  }
}

class Samples {
  private values = new Float64Array(1 << 16);
  count = 0;

  add(value: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = value;
  }

  summary(): Percentiles {
    const sorted = this.values.slice(0, this.count).sort();
    const at = (p: number): number => (sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number));
    return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? Number.NaN, count: sorted.length };
  }

  reset(): void {
    this.count = 0;
  }
}

/** The army an entity id names, as a key both the callback's and RECS's spelling of the id map to. */
const armyKey = (id: string): string => BigInt(id).toString(16);

export async function runEndToEnd(plan: E2ePlan, log: (line: string) => void): Promise<E2ePhaseResult[]> {
  const server = await startFakeToriiThread(plan.armies);
  const wasm = await connectToriiClient(server);
  const backlogs = new Map<string, ArmyBacklog>();
  const lastReceived = new Map<string, number>();
  const recsLatency = new Samples();
  const callbackLatency = new Samples();
  let received = 0;
  let recsWrites = 0;
  let lastVisibleUs = 0;
  const backlogOf = (key: string): ArmyBacklog => {
    let backlog = backlogs.get(key);
    if (backlog === undefined) backlogs.set(key, (backlog = new ArmyBacklog(1_024)));
    return backlog;
  };

  // The wasm client, its stream callback wrapped to note each update's publish time as it arrives.
  const client: ToriiClientLike = {
    getEntities: (query) => wasm.getEntities(query as never) as never,
    onEntityUpdated: (clause, worlds, callback) =>
      wasm.onEntityUpdated(clause as never, worlds as never, ((entity: { hashed_keys: string; models: Record<string, Record<string, unknown>> }, ...rest: unknown[]) => {
        const sentAt = publishedAt(entity);
        if (sentAt !== undefined) {
          const nowUs = nowMicros();
          callbackLatency.add((nowUs - sentAt) / 1000);
          const key = armyKey(entity.hashed_keys);
          backlogOf(key).push(sentAt);
          lastReceived.set(key, Math.max(lastReceived.get(key) ?? 0, sentAt));
          received += 1;
        }
        callback(entity, ...rest);
      }) as never) as never,
  };
  const world = createWorld();
  const components = defineBlitzComponents(world);
  const Army = components.Army;
  const subscription = Army.update$.subscribe((update) => {
    recsWrites += 1;
    const stamina = (update.value[0] as { stamina?: { updated_tick?: bigint } } | undefined)?.stamina;
    if (stamina?.updated_tick === undefined) return;
    const nowUs = nowMicros();
    lastVisibleUs = nowUs;
    backlogOf(armyKey(update.entity)).resolveUpTo(Number(stamina.updated_tick), nowUs, (ms) => recsLatency.add(ms));
  });
  const pipeline = createSyncPipeline({ client, world, components, worldAddresses: [server.worldAddress], logging: false });
  await pipeline.start();
  log(`  e2e: pipeline ready on ${plan.armies} armies (${ARMY})`);

  const results: E2ePhaseResult[] = [];
  for (const phase of plan.phases) {
    recsLatency.reset();
    callbackLatency.reset();
    received = 0;
    recsWrites = 0;
    const evictionsBefore = await server.evictions();
    const replaysBefore = pipeline.metrics().replays;
    const cpu = process.cpuUsage();
    const startedUs = nowMicros();
    const report = await server.drive(phase.count, phase.rate ?? Number.POSITIVE_INFINITY);
    await settled(() => received >= phase.count && pipeline.metrics().queueDepth === 0 && [...backlogs.values()].every((backlog) => backlog.size === 0), () => received + recsWrites);
    const used = process.cpuUsage(cpu);
    const stale = [...lastReceived].filter(([key, tick]) => getArmyTick(Army, key) !== tick).length;
    const result: E2ePhaseResult = {
      plan: phase,
      published: phase.count,
      publishedPerSecond: report.perSecond,
      publisherBehindMs: report.behindMs,
      received,
      absorbedPerSecond: lastVisibleUs > startedUs ? (received * 1e6) / (lastVisibleUs - startedUs) : 0,
      recs: recsLatency.summary(),
      callback: callbackLatency.summary(),
      recsWrites,
      staleArmies: stale,
      unresolved: [...backlogs.values()].reduce((sum, backlog) => sum + backlog.size, 0),
      evictions: (await server.evictions()) - evictionsBefore,
      replays: pipeline.metrics().replays - replaysBefore,
      cpuMicrosPerUpdate: (used.user + used.system) / phase.count,
      durationMs: (nowMicros() - startedUs) / 1000,
    };
    log(
      `  e2e ${phase.rate === null ? "max" : `${phase.rate}/s`}${phase.warmup ? " (warm-up)" : ""}: published ${result.publishedPerSecond.toFixed(0)}/s, received ${result.received}, ` +
        `absorbed ${result.absorbedPerSecond.toFixed(0)}/s, publish → RECS p50 ${result.recs.p50.toFixed(1)} p99 ${result.recs.p99.toFixed(1)} ms, stale ${stale}, evictions ${result.evictions}`,
    );
    results.push(result);
    // Backlogs of updates lost to an eviction would count against the next phase.
    for (const backlog of backlogs.values()) backlog.resolveUpTo(Number.POSITIVE_INFINITY, nowMicros(), () => undefined);
  }
  subscription.unsubscribe();
  pipeline.cancel();
  wasm.free();
  await server.close();
  world.dispose();
  return results;
}

/** The publish time the army's stamina in RECS carries (the pipeline writes ids padded to 64 hex digits). */
function getArmyTick(Army: ReturnType<typeof defineBlitzComponents>["Army"], key: string): number | undefined {
  const value = getComponentValue(Army, `0x${key.padStart(64, "0")}` as Entity) as { stamina?: { updated_tick?: bigint } } | undefined;
  return value?.stamina?.updated_tick === undefined ? undefined : Number(value.stamina.updated_tick);
}

/** Resolve when `done()` holds, or when `progress()` has not moved for QUIET_MS. */
async function settled(done: () => boolean, progress: () => number): Promise<void> {
  let last = -1;
  let quietSince = performance.now();
  while (!done() && performance.now() - quietSince < QUIET_MS) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const now = progress();
    if (now !== last) {
      last = now;
      quietSince = performance.now();
    }
  }
}

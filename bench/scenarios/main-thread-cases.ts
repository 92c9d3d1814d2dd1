import { createWorld, setComponent, type Entity } from "@dojoengine/recs";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/index";
import { BlockProbe, type BlockReading } from "../measure/event-loop";
import { collectGarbage } from "../measure/heap";
import { countStale } from "../measure/recs-probe";
import { ARMY_LAYER, armyProjection, buildMap, createArmyWorld } from "../pipelines/map-world";
import { BenchToriiClient } from "../pipelines/memory-client";
import { drained, runOurs } from "../pipelines/ours";
import type { ClockHooks } from "../pipelines/run-result";
import { BURST_DEFAULTS, createBurstWorkload } from "../workload/burst";
import type { Truth } from "../workload/entities";
import { createInOrderWorkload, IN_ORDER_DEFAULTS } from "../workload/in-order";
import { createMapWorkload, MAP_DEFAULTS } from "../workload/map";
import { defineBenchComponents } from "../workload/models";
import { createSnapshotWorkload, type SnapshotWorkload } from "../workload/snapshot";
import type { Rounds } from "./rounds";

/** Arrivals per macrotask where a case streams updates: what a websocket hands over per read in a burst. */
export const BLOCK_FRAME = 1_000;
/** Entities of the one-page snapshot: the pipeline's default replay page (`replayPageLimit`) is this size. */
export const SNAPSHOT_PAGE_ENTITIES = 40_000;
export const RECONCILE_ENTITIES = 100_000;
/** Every this-many-th entity is missing from the replay's snapshot: the removals reconciliation makes (10%). */
export const RECONCILE_MISSING_EVERY = 10;
export const MAP_BUILD_ENTITIES = 100_000;

/** The cases the issue sets the 8 ms bar for, then the floor measured beside them (no bar: RECS's own cost). */
export const BLOCK_CASES = ["burst-framed", "in-order-framed", "snapshot-page", "reconcile", "map-build", "recs-floor"] as const;
export type BlockCase = (typeof BLOCK_CASES)[number];
/** Cases measured for reference only: no goal is set on them. */
export const FLOOR_CASES: readonly BlockCase[] = ["recs-floor"];
/** Writes between two yields of the floor case: what the pipeline's slicer does between two reads of the clock. */
export const FLOOR_WRITES_PER_YIELD = 32;

/** One case's figures, as its child process measured them (JSON). */
export interface BlockCaseResult {
  readonly id: BlockCase;
  readonly rounds: Rounds;
  /** The measured runs, in order (warm-up runs are not kept). */
  readonly runs: readonly BlockReading[];
  /** Wall time of the measured window of each run, ms. */
  readonly windowMs: readonly number[];
  /** Facts about the case's workload and what each run was checked to leave behind. */
  readonly facts: Readonly<Record<string, number | string>>;
}

interface Run {
  readonly reading: BlockReading;
  readonly windowMs: number;
}

/** Measure one case: warm-up runs first (JIT, symbol registry), then the measured ones, each on a fresh world. */
export async function runBlockCase(id: BlockCase, rounds: Rounds, log: (line: string) => void): Promise<BlockCaseResult> {
  const { run, facts } = prepare(id);
  const runs: BlockReading[] = [];
  const windowMs: number[] = [];
  for (let index = 0; index < rounds.warmup + rounds.measured; index += 1) {
    collectGarbage();
    const result = await run();
    log(
      `  ${id} ${index + 1}/${rounds.warmup + rounds.measured}${index < rounds.warmup ? " (warm-up)" : ""}: ELD max ${result.reading.maxMs.toFixed(1)} ms, ` +
        `p99 ${result.reading.p99Ms.toFixed(1)} ms, on CPU ${result.reading.busyMaxMs.toFixed(1)} ms over ${result.windowMs.toFixed(0)} ms`,
    );
    if (index >= rounds.warmup) {
      runs.push(result.reading);
      windowMs.push(result.windowMs);
    }
  }
  return { id, rounds, runs, windowMs, facts };
}

function prepare(id: BlockCase): { run: () => Promise<Run>; facts: Record<string, number | string> } {
  switch (id) {
    case "burst-framed":
      return streamed("burst", createBurstWorkload(BURST_DEFAULTS));
    case "in-order-framed":
      return streamed("in order", createInOrderWorkload(IN_ORDER_DEFAULTS));
    case "snapshot-page":
      return snapshotPage();
    case "reconcile":
      return reconcileCase();
    case "map-build":
      return mapBuild();
    case "recs-floor":
      return recsFloor();
  }
}

/**
 * RECS alone, no pipeline: `setComponent` of the snapshot's values (already converted) for 100,000 new entities × 3
 * models on a fresh world, yielding every FLOOR_WRITES_PER_YIELD writes as a slicer would, each call timed. RECS keeps
 * one JS Map per member, and a Map that fills up rehashes every entry in the one `set` that crosses its capacity (at
 * each power of two): the longest single write is a floor no slicing above RECS can go below while the world grows.
 */
function recsFloor(): { run: () => Promise<Run>; facts: Record<string, number | string> } {
  const workload = createSnapshotWorkload(RECONCILE_ENTITIES);
  const models = workload.models.length;
  const facts: Record<string, number | string> = { entities: RECONCILE_ENTITIES, models, writesPerYield: FLOOR_WRITES_PER_YIELD, longestWriteMs: 0, longestWriteAt: 0, writesOver8Ms: 0 };
  return {
    facts,
    run: async () => {
      const world = createWorld();
      const components = defineBenchComponents(world, workload.models);
      const probe = new BlockProbe();
      let longest = 0;
      let longestAt = 0;
      let over = 0;
      await probe.begin("setComponent of new entities");
      const started = performance.now();
      for (let entity = 0; entity < RECONCILE_ENTITIES; entity += 1) {
        const id = workload.ids.padded[entity] as Entity;
        for (let model = 0; model < models; model += 1) {
          const t0 = performance.now();
          setComponent(components[model] as (typeof components)[number], id, workload.truth[entity * models + model] as never);
          const ms = performance.now() - t0;
          if (ms > longest) {
            longest = ms;
            longestAt = entity;
          }
          if (ms > 8) over += 1;
        }
        if ((entity + 1) % FLOOR_WRITES_PER_YIELD === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const windowMs = performance.now() - started;
      const reading = await probe.end();
      // The run's longest single write, kept as the median run's figure is chosen by the scenario.
      facts["longestWriteMs"] = Math.max(facts["longestWriteMs"] as number, longest);
      facts["longestWriteAt"] = longest >= (facts["longestWriteMs"] as number) ? longestAt : facts["longestWriteAt"] as number;
      facts["writesOver8Ms"] = Math.max(facts["writesOver8Ms"] as number, over);
      world.dispose();
      return { reading, windowMs };
    },
  };
}

/** A stream case: ours with its defaults, `BLOCK_FRAME` arrivals per macrotask, probed from the first arrival until drained. */
function streamed(what: string, workload: Parameters<typeof runOurs>[0]): { run: () => Promise<Run>; facts: Record<string, number | string> } {
  const facts: Record<string, number | string> = { updates: workload.arrivals.length, perMacrotask: BLOCK_FRAME, worstStale: 0, worstWrites: 0 };
  return {
    facts,
    run: async () => {
      const probe = new BlockProbe();
      let reading: BlockReading | undefined;
      const hooks: ClockHooks = {
        beforeClock: () => probe.begin(`${what}: arrivals and drain`),
        afterClock: async () => {
          reading = await probe.end();
        },
      };
      const result = await runOurs(workload, { frameSize: BLOCK_FRAME, hooks });
      if (reading === undefined) throw new Error("the probe did not stop");
      facts["worstStale"] = Math.max(facts["worstStale"] as number, result.stale);
      facts["worstWrites"] = Math.max(facts["worstWrites"] as number, result.writes);
      return { reading, windowMs: result.ms };
    },
  };
}

/** Boot on a client whose `getEntities` answers all 40,000 entities in one page; probed from `start()` until ready and drained. */
function snapshotPage(): { run: () => Promise<Run>; facts: Record<string, number | string> } {
  const workload = createSnapshotWorkload(SNAPSHOT_PAGE_ENTITIES);
  const facts: Record<string, number | string> = { entities: SNAPSHOT_PAGE_ENTITIES, models: workload.models.length, pages: 0, worstStale: 0 };
  return {
    facts,
    run: async () => {
      const probe = new BlockProbe();
      const client = new BenchToriiClient(workload.items, { onePage: true, onLastPage: () => probe.phase("after the page was handed over") });
      const rig = pipelineOn(client, workload);
      await probe.begin("start() until the page");
      const started = performance.now();
      await rig.pipeline.start();
      await drained(rig.pipeline);
      const windowMs = performance.now() - started;
      const reading = await probe.end();
      facts["pages"] = client.pagesServed;
      facts["worstStale"] = Math.max(facts["worstStale"] as number, countStale(rig.components, workload.truth, workload.ids.padded).stale);
      rig.dispose();
      return { reading, windowMs };
    },
  };
}

/**
 * A pipeline booted (not probed) on 100,000 entities; then the next replay's snapshot lacks every tenth entity, so
 * reconciliation walks all 100,000 and removes 10% of them. Probed from `forceReplay()` until it resolves and the
 * queue is empty; the pages use the pipeline's own page limit, and the phase after the last page is reported apart.
 */
function reconcileCase(): { run: () => Promise<Run>; facts: Record<string, number | string> } {
  const workload = createSnapshotWorkload(RECONCILE_ENTITIES);
  const lacking = workload.items.filter((_, entity) => entity % RECONCILE_MISSING_EVERY !== 0);
  const truthAfter: Truth = workload.truth.map((value, index) => (Math.floor(index / workload.models.length) % RECONCILE_MISSING_EVERY === 0 ? undefined : value));
  const facts: Record<string, number | string> = {
    entities: RECONCILE_ENTITIES,
    models: workload.models.length,
    missingFromReplay: RECONCILE_ENTITIES - lacking.length,
    replayPages: 0,
    worstStale: 0,
    removedComponents: 0,
  };
  return {
    facts,
    run: async () => {
      // The probe starts after the boot: the boot's own last page must not mark a phase.
      const marks: { probe?: BlockProbe } = {};
      const client = new BenchToriiClient(workload.items, { onLastPage: () => marks.probe?.phase("after the last page (reconciliation)") });
      const rig = pipelineOn(client, workload);
      await rig.pipeline.start();
      await drained(rig.pipeline);
      const before = rig.pipeline.metrics().reconciled;
      client.setSnapshot(lacking);
      const pagesBefore = client.pagesServed;
      collectGarbage();
      const probe = new BlockProbe();
      marks.probe = probe;
      await probe.begin("replay pages");
      const started = performance.now();
      await rig.pipeline.forceReplay();
      await drained(rig.pipeline);
      const windowMs = performance.now() - started;
      const reading = await probe.end();
      facts["replayPages"] = client.pagesServed - pagesBefore;
      facts["removedComponents"] = rig.pipeline.metrics().reconciled - before;
      facts["worstStale"] = Math.max(facts["worstStale"] as number, countStale(rig.components, truthAfter, workload.ids.padded).stale);
      rig.dispose();
      return { reading, windowMs };
    },
  };
}

/** The map's first build: a new projection `start()`ed on a world already holding 100,000 armies, probed until it maps them all. */
function mapBuild(): { run: () => Promise<Run>; facts: Record<string, number | string> } {
  const workload = createMapWorkload({ ...MAP_DEFAULTS, entities: MAP_BUILD_ENTITIES });
  const { Army } = createArmyWorld(workload);
  const facts: Record<string, number | string> = { entities: MAP_BUILD_ENTITIES, grid: `${workload.side}×${workload.side}`, mapped: 0 };
  return {
    facts,
    run: async () => {
      const projection = armyProjection(Army);
      const probe = new BlockProbe();
      await probe.begin("start() until every army is mapped");
      const started = performance.now();
      await buildMap(projection, MAP_BUILD_ENTITIES);
      const windowMs = performance.now() - started;
      const reading = await probe.end();
      facts["mapped"] = projection.getSnapshot().counts[ARMY_LAYER] ?? 0;
      projection.stop();
      return { reading, windowMs };
    },
  };
}

interface Rig {
  readonly pipeline: SyncPipeline;
  readonly components: ReturnType<typeof defineBenchComponents>;
  dispose(): void;
}

function pipelineOn(client: BenchToriiClient, workload: SnapshotWorkload): Rig {
  const world = createWorld();
  const components = defineBenchComponents(world, workload.models);
  const pipeline = createSyncPipeline({ client, world, components, logging: false });
  return {
    pipeline,
    components,
    dispose: () => {
      pipeline.cancel();
      world.dispose();
    },
  };
}

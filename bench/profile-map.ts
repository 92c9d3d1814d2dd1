import { writeFileSync } from "node:fs";
import type { Profiler } from "node:inspector";
import { Session } from "node:inspector/promises";
import { describeEnvironment } from "./measure/environment";
import { applyWrites, armyProjection, createArmyWorld, materialise, type RecsWrite } from "./pipelines/map-world";
import { selfTime, totalTime, type Cost } from "./profile/self-time";
import { createMapWorkload, MAP_DEFAULTS } from "./workload/map";

// Profiles the map projection alone (no second world), after warm-up, and prints where the time goes:
//   node --enable-source-maps --expose-gc --import tsx bench/profile-map.ts [entities] [batches|build] [out.cpuprofile]
// "batches": 100 batches of 1,000 changes on a started projection, writes built beforehand (RECS's own cost is in the
// profile too, under node_modules/@dojoengine/recs). "build": one start() on the filled world.
const [entitiesArg = "100000", target = "batches", out = `/tmp/torii-bench-map-${target}-${entitiesArg}.cpuprofile`] = process.argv.slice(2);
const entities = Number(entitiesArg);
if (!Number.isInteger(entities) || entities <= 0 || (target !== "batches" && target !== "build")) {
  console.error("usage: bench/profile-map.ts [entities] [batches|build] [out.cpuprofile]");
  process.exit(2);
}
if (!process.sourceMapsEnabled) console.warn("run with --enable-source-maps, or locations point at generated code");
const WARMUP_BATCHES = 10;
const PROFILED_BATCHES = 100;
const TOP = 25;

const workload = createMapWorkload({ ...MAP_DEFAULTS, entities });
const { Army } = createArmyWorld(workload);
const projection = armyProjection(Army);
const flush = (): Promise<void> => new Promise<void>((resolve) => queueMicrotask(resolve));

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 100 });
let profile: Profiler.Profile;
let timedMs: number;
let label: string;
if (target === "build") {
  await session.post("Profiler.start");
  const started = performance.now();
  projection.start();
  timedMs = performance.now() - started;
  profile = (await session.post("Profiler.stop")).profile;
  label = `start() on ${entities.toLocaleString("en-US")} entities`;
} else {
  projection.start();
  for (let batch = 0; batch < WARMUP_BATCHES; batch += 1) {
    applyWrites(Army, materialise(workload.nextBatch().changes, workload.ids));
    await flush();
  }
  const planned: RecsWrite[][] = [];
  for (let batch = 0; batch < PROFILED_BATCHES; batch += 1) planned.push(materialise(workload.nextBatch().changes, workload.ids));
  await session.post("Profiler.start");
  const started = performance.now();
  for (const writes of planned) {
    applyWrites(Army, writes);
    await flush();
  }
  timedMs = performance.now() - started;
  profile = (await session.post("Profiler.stop")).profile;
  const changes = PROFILED_BATCHES * MAP_DEFAULTS.changesPerBatch;
  label = `${PROFILED_BATCHES} batches × ${MAP_DEFAULTS.changesPerBatch} changes at ${entities.toLocaleString("en-US")} entities, ${((timedMs / changes) * 1000).toFixed(2)} µs per change incl. the RECS write`;
}
session.disconnect();
writeFileSync(out, JSON.stringify(profile));

const self = selfTime(profile);
const total = totalTime(profile);
const line = (cost: Cost): string => `${cost.selfMs.toFixed(1).padStart(8)} ms ${(cost.share * 100).toFixed(1).padStart(5)}%  ${cost.name}`;
console.log(`${label}: timed ${timedMs.toFixed(0)} ms, ${self.totalMs.toFixed(0)} ms sampled → ${out} (src/ ${describeEnvironment().srcHash})`);
console.log(`\nTop ${TOP} functions by self time:`);
self.byFunction.slice(0, TOP).forEach((cost) => console.log(line(cost)));
console.log("\nBy file (self time):");
self.byFile.slice(0, 12).forEach((cost) => console.log(line(cost)));
console.log("\nsrc/map functions by total time (self + callees):");
total.filter((cost) => cost.name.includes("src/map/")).slice(0, TOP).forEach((cost) => console.log(line(cost)));

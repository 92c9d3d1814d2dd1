import { writeFileSync } from "node:fs";
import type { Profiler } from "node:inspector";
import { Session } from "node:inspector/promises";
import { describeEnvironment } from "./measure/environment";
import { runNaive } from "./pipelines/naive";
import { runOurs } from "./pipelines/ours";
import type { ClockHooks } from "./pipelines/run-result";
import { selfTime, type Cost } from "./profile/self-time";
import { FRAME } from "./scenarios/burst";
import { createBurstWorkload, type Workload } from "./workload/burst";
import { createInOrderWorkload } from "./workload/in-order";

// Profiles one timed run, after warm-ups, and prints the functions and files with the most self time:
//   node --enable-source-maps --expose-gc --import tsx bench/profile.ts <burst|in-order> <ours|ours-framed|naive> [out.cpuprofile]
const [scenario = "burst", pipeline = "ours", out = `/tmp/torii-bench-${scenario}-${pipeline}.cpuprofile`] = process.argv.slice(2);
const WARMUPS = 2;
// Without the flag Node keeps no source maps, and every location would point into tsx's one-line output.
if (!process.sourceMapsEnabled) console.warn("run with --enable-source-maps, or locations point at generated code");
const TOP = 30;

const workload: Workload = scenario === "in-order" ? createInOrderWorkload() : createBurstWorkload();
const run = (hooks?: ClockHooks): Promise<{ ms: number }> => {
  if (pipeline === "naive") return runNaive(workload, hooks);
  return runOurs(workload, { ...(hooks === undefined ? {} : { hooks }), ...(pipeline === "ours-framed" ? { frameSize: FRAME } : {}) });
};

for (let index = 0; index < WARMUPS; index += 1) await run();

const session = new Session();
session.connect();
await session.post("Profiler.enable");
// 100 µs instead of the default 1 ms: a run lasts well under a second, and rare functions need enough samples.
await session.post("Profiler.setSamplingInterval", { interval: 100 });
let profile: Profiler.Profile | undefined;
const result = await run({
  beforeClock: async () => {
    await session.post("Profiler.start");
  },
  afterClock: async () => {
    profile = (await session.post("Profiler.stop")).profile;
  },
});
session.disconnect();
if (profile === undefined) throw new Error("the profiler returned no profile");
writeFileSync(out, JSON.stringify(profile));

const costs = selfTime(profile);
const line = (cost: Cost): string => `${cost.selfMs.toFixed(1).padStart(8)} ms ${(cost.share * 100).toFixed(1).padStart(5)}%  ${cost.name}`;
console.log(`${scenario} · ${pipeline}: timed run ${result.ms.toFixed(0)} ms, ${costs.totalMs.toFixed(0)} ms sampled → ${out} (src/ ${describeEnvironment().srcHash})`);
console.log(`\nTop ${TOP} functions by self time:`);
costs.byFunction.slice(0, TOP).forEach((cost) => console.log(line(cost)));
console.log("\nBy file:");
costs.byFile.slice(0, 20).forEach((cost) => console.log(line(cost)));


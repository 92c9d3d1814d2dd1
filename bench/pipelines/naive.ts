import { createWorld } from "@dojoengine/recs";
import { setEntities } from "@dojoengine/state/recs";
import { heapUsedAfterGc } from "../measure/heap";
import { countStale, countWrites } from "../measure/recs-probe";
import { startClocks } from "../measure/timing";
import type { Workload } from "../workload/burst";
import { defineBenchComponents } from "../workload/models";
import type { ClockHooks, RunResult } from "./run-result";

export interface NaiveRun extends RunResult {
  /**
   * Updates `setEntities` caught and logged with console.warn: `updateComponent` throws on a component that a partial
   * first update left invisible, and that update is lost.
   */
  readonly swallowed: number;
}

/**
 * What games do today: `await setEntities([entity], components)` per subscription callback, in arrival order, with
 * no version or order check. Its console.warn is counted instead of printed, so the run is not timing the terminal.
 */
export async function runNaive(workload: Workload, hooks?: ClockHooks): Promise<NaiveRun> {
  const baseline = heapUsedAfterGc();
  const world = createWorld();
  const components = defineBenchComponents(world, workload.models);
  const writes = countWrites(components);
  const warn = console.warn;
  let swallowed = 0;
  console.warn = () => {
    swallowed += 1;
  };
  await hooks?.beforeClock();
  const stop = startClocks();
  try {
    for (const entity of workload.arrivals) await setEntities([entity], components);
  } finally {
    console.warn = warn;
  }
  const { ms, cpuMs } = stop();
  await hooks?.afterClock();
  const heapUsedAfter = heapUsedAfterGc();
  const { stale, checked } = countStale(components, workload.truth, workload.ids.minimal);
  writes.stop();
  world.dispose();
  return { ms, cpuMs, writes: writes.count(), stale, checked, heapUsedAfter, heapRetained: heapUsedAfter - baseline, swallowed };
}

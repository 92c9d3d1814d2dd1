import { createWorld, setComponent, type Entity } from "@dojoengine/recs";
import { heapUsedAfterGc } from "../measure/heap";
import { countStale, countWrites } from "../measure/recs-probe";
import { startClocks } from "../measure/timing";
import type { InOrderWorkload } from "../workload/in-order";
import { defineBenchComponents, type BenchComponent } from "../workload/models";
import type { RunResult } from "./run-result";

/**
 * The floor: `setComponent` with values already converted, in the same order, no pipeline at all. Conversion happens
 * before the clock starts, so this is the RECS cost alone.
 */
export function runRawRecs(workload: InOrderWorkload): RunResult {
  const world = createWorld();
  const components = defineBenchComponents(world, workload.models);
  const writes = countWrites(components);
  const planned = workload.writes.map(({ entity, model }) => {
    const value = workload.truth[entity * components.length + model];
    if (value === undefined) throw new Error(`in-order workload has no value for entity ${entity} model ${model}`);
    return { component: components[model] as BenchComponent, entity: workload.ids.padded[entity] as Entity, value };
  });
  // Taken after the plan is built: the pre-converted values are the input, not something the run keeps.
  const baseline = heapUsedAfterGc();

  const stop = startClocks();
  for (const { component, entity, value } of planned) setComponent(component, entity, value);
  const { ms, cpuMs } = stop();

  const heapUsedAfter = heapUsedAfterGc();
  const { stale, checked } = countStale(components, workload.truth, workload.ids.padded);
  writes.stop();
  world.dispose();
  // Touching the plan here keeps it alive through the heap measurement, so its release is not counted against RECS.
  if (planned.length !== workload.arrivals.length) throw new Error("raw RECS plan lost writes");
  return { ms, cpuMs, writes: writes.count(), stale, checked, heapUsedAfter, heapRetained: heapUsedAfter - baseline };
}

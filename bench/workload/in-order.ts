import type { Workload } from "./burst";
import { entityIds, modelUpdate, rawEntity, type RawToriiEntity, type Truth } from "./entities";
import { BENCH_MODELS, type ModelSpec } from "./models";
import { createRng, shuffleInPlace } from "./rng";

export interface InOrderConfig {
  readonly seed: number;
  readonly entities: number;
  /** How many of the bench models each entity gets: entities × models updates in all. */
  readonly modelsPerEntity: number;
  readonly baseTimestamp: number;
}

export const IN_ORDER_DEFAULTS: InOrderConfig = { seed: 0x1_0_0_d, entities: 50_000, modelsPerEntity: 2, baseTimestamp: 1_700_000_000 };

export interface InOrderWorkload extends Workload {
  /** Per arrival, which entity × model it writes: what the raw RECS baseline writes, in the same order. */
  readonly writes: readonly { readonly entity: number; readonly model: number }[];
}

/**
 * One whole-model update per entity × model, each touching a different one, in a shuffled but exact order
 * (`executed_at` grows by one second per update): nothing to compact, nothing stale, so the pipeline's overhead over
 * plain RECS writes is all there is to see.
 */
export function createInOrderWorkload(config: InOrderConfig = IN_ORDER_DEFAULTS, allModels: readonly ModelSpec[] = BENCH_MODELS): InOrderWorkload {
  const models = allModels.slice(0, config.modelsPerEntity);
  const rng = createRng(config.seed);
  const ids = entityIds(config.entities);
  const writes: { entity: number; model: number }[] = [];
  for (let entity = 0; entity < config.entities; entity += 1) for (let model = 0; model < models.length; model += 1) writes.push({ entity, model });
  shuffleInPlace(writes, rng);
  const truth: Truth = new Array<Record<string, unknown> | undefined>(config.entities * models.length).fill(undefined);
  const arrivals: RawToriiEntity[] = writes.map(({ entity, model }, index) => {
    const spec = models[model] as ModelSpec;
    const expected: Record<string, unknown> = {};
    truth[entity * models.length + model] = expected;
    const body = modelUpdate(spec, spec.members.map((_, i) => i), index * 8, expected);
    return rawEntity(ids.minimal[entity] as string, config.baseTimestamp + index, spec.tag, body);
  });
  return { models, ids, truth, arrivals, writes };
}

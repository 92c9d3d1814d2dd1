import { type EntityIds, entityIds, modelUpdate, rawEntity, type RawToriiEntity, type Truth } from "./entities";
import { BENCH_MODELS, type ModelSpec } from "./models";
import { createRng, type Rng } from "./rng";

export interface BurstConfig {
  readonly seed: number;
  readonly updates: number;
  readonly entities: number;
  /** Share of updates delivered late. */
  readonly lateFraction: number;
  /** A late update is delivered up to this many positions after its true place. */
  readonly maxDelay: number;
  /** Members carried by a member update (after the first, full write of the model): 1…maxMembers. */
  readonly maxMembers: number;
  /** `executed_at` of the first update, in seconds; each next update in true order is one second later. */
  readonly baseTimestamp: number;
}

export const BURST_DEFAULTS: BurstConfig = {
  seed: 0x70_61_1a,
  updates: 200_000,
  entities: 5_000,
  lateFraction: 0.1,
  maxDelay: 2_000,
  maxMembers: 3,
  baseTimestamp: 1_700_000_000,
};

export interface Workload {
  readonly models: readonly ModelSpec[];
  readonly ids: EntityIds;
  /** In delivery order. */
  readonly arrivals: readonly RawToriiEntity[];
  /** The state after every update applied in true order. */
  readonly truth: Truth;
}

export interface BurstWorkload extends Workload {
  readonly late: number;
  /** Largest (delivered position − true position) over all updates. */
  readonly maxDisplacement: number;
  readonly memberUpdates: number;
  readonly fullUpdates: number;
}

/**
 * Random entity × model per update. The first write of a model is whole (as when a contract first sets it), later ones
 * carry a random subset of members, like Torii's member updates. `executed_at` grows by one second per update in true
 * order, so versions are exact and any stale value left in RECS is the pipeline's fault, not a tie.
 */
export function createBurstWorkload(config: BurstConfig = BURST_DEFAULTS, models: readonly ModelSpec[] = BENCH_MODELS): BurstWorkload {
  const rng = createRng(config.seed);
  const ids = entityIds(config.entities);
  const truth: Truth = new Array<Record<string, unknown> | undefined>(config.entities * models.length).fill(undefined);
  const inTrueOrder: RawToriiEntity[] = [];
  let memberUpdates = 0;
  for (let index = 0; index < config.updates; index += 1) {
    const entity = rng.below(config.entities);
    const modelIndex = rng.below(models.length);
    const spec = models[modelIndex] as ModelSpec;
    const slot = entity * models.length + modelIndex;
    const expected = (truth[slot] ??= {}) as Record<string, unknown>;
    const whole = Object.keys(expected).length === 0;
    const members = whole ? spec.members.map((_, i) => i) : pickMembers(rng, spec.members.length, 1 + rng.below(config.maxMembers));
    if (!whole) memberUpdates += 1;
    const body = modelUpdate(spec, members, index * 8, expected);
    inTrueOrder.push(rawEntity(ids.minimal[entity] as string, config.baseTimestamp + index, spec.tag, body));
  }
  const { order, late } = deliveryOrder(rng, config);
  let maxDisplacement = 0;
  order.forEach((trueIndex, position) => (maxDisplacement = Math.max(maxDisplacement, position - trueIndex)));
  return {
    models,
    ids,
    truth,
    arrivals: order.map((trueIndex) => inTrueOrder[trueIndex] as RawToriiEntity),
    late,
    maxDisplacement,
    memberUpdates,
    fullUpdates: config.updates - memberUpdates,
  };
}

function pickMembers(rng: Rng, memberCount: number, count: number): number[] {
  const pool = Array.from({ length: memberCount }, (_, i) => i);
  for (let i = 0; i < count; i += 1) {
    const j = i + rng.below(memberCount - i);
    [pool[i], pool[j]] = [pool[j] as number, pool[i] as number];
  }
  return pool.slice(0, count).sort((a, b) => a - b);
}

/** A late update is delivered after every on-time update up to `delay` positions later, so it moves at most `delay`. */
function deliveryOrder(rng: Rng, config: BurstConfig): { order: number[]; late: number } {
  const keys = new Float64Array(config.updates);
  let late = 0;
  for (let index = 0; index < config.updates; index += 1) {
    const isLate = rng.next() < config.lateFraction;
    if (isLate) late += 1;
    keys[index] = isLate ? index + 1 + rng.below(config.maxDelay) + 0.5 : index;
  }
  const order = Array.from({ length: config.updates }, (_, i) => i);
  order.sort((a, b) => (keys[a] as number) - (keys[b] as number));
  return { order, late };
}

import { entityIds, freshCopy, modelUpdate, type EntityIds, type RawToriiEntity, type Truth } from "./entities";
import { BENCH_MODELS, type ModelSpec } from "./models";

export interface SnapshotWorkload {
  readonly models: readonly ModelSpec[];
  readonly ids: EntityIds;
  /** One page item per entity, every model whole, as `getEntities` hands them over. */
  readonly items: readonly RawToriiEntity[];
  /** What RECS must hold once the snapshot is in (`entity * models + model`). */
  readonly truth: Truth;
}

const BASE_TIMESTAMP = 1_700_000_000;

/**
 * A snapshot of `entities` entities, each with every bench model written whole (a page row carries all the entity's
 * models at once, unlike a stream message). Values are seeded per entity and member, so a row applied to the wrong
 * entity shows up as stale.
 */
export function createSnapshotWorkload(entities: number, models: readonly ModelSpec[] = BENCH_MODELS): SnapshotWorkload {
  const ids = entityIds(entities);
  const truth: Truth = new Array<Record<string, unknown> | undefined>(entities * models.length).fill(undefined);
  const items: RawToriiEntity[] = [];
  for (let entity = 0; entity < entities; entity += 1) {
    const body: Record<string, ReturnType<typeof modelUpdate>> = {};
    models.forEach((spec, model) => {
      const expected: Record<string, unknown> = {};
      body[spec.tag] = modelUpdate(spec, spec.members.map((_, i) => i), (entity * models.length + model) * 8, expected);
      truth[entity * models.length + model] = expected;
    });
    const at = BASE_TIMESTAMP + entity;
    items.push({ world_address: "0x1", hashed_keys: freshCopy(ids.minimal[entity] as string), models: body, created_at: 0, updated_at: at, executed_at: at });
  }
  return { models, ids, items, truth };
}

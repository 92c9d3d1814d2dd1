import { createWorld, type Schema, type Type as RecsType } from "@dojoengine/recs";
import { modelTagOf } from "../../../src/core/writer/bindings";
import { convertValue } from "../../../src/core/writer/convert";
import { defineBlitzComponents, type WorldSimulator } from "../../../src/testing/index";
import type { TruthSnapshot } from "../shared/protocol";

type Models = Record<string, Array<readonly [string, Record<string, unknown>]>>;

/**
 * What the fake Torii holds, as RECS values: each model converted field by field by its component's schema, the way
 * test/support/compare-world.ts does, so the page only has to deep-compare.
 */
export function createTruthReader(world: WorldSimulator): () => TruthSnapshot {
  const schemas = new Map<string, Schema>();
  for (const component of Object.values(defineBlitzComponents(createWorld()))) {
    const tag = modelTagOf(component);
    if (tag !== undefined) schemas.set(tag, component.schema);
  }
  return () => {
    const models: Models = {};
    for (const tag of schemas.keys()) models[tag] = [];
    for (const entity of world.entities()) {
      const id = `0x${BigInt(entity.hashed_keys).toString(16)}`;
      for (const [tag, members] of Object.entries(entity.models)) {
        const schema = schemas.get(tag);
        if (schema === undefined) continue;
        const value: Record<string, unknown> = {};
        for (const [field, type] of Object.entries(schema)) {
          value[field] = convertValue(type as RecsType | Schema, members[field] as unknown as Parameters<typeof convertValue>[1], `${tag}.${field}`);
        }
        models[tag]?.push([id, value]);
      }
    }
    const { block, timestamp } = world.head();
    return { block, timestamp, models };
  };
}

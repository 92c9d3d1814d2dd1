import { getComponentEntities, getComponentValue, type Component, type Entity, type Metadata, type Schema, type Type as RecsType } from "@dojoengine/recs";
import { isDeepStrictEqual } from "node:util";
import { normalizeEntityId } from "../../src/core/entity-id";
import type { ToriiValue } from "../../src/core/types";
import { modelTagOf } from "../../src/core/writer/bindings";
import { convertValue } from "../../src/core/writer/convert";

export interface WorldDiff {
  /** Entity × model pairs compared (the server's and any extra in RECS). */
  readonly compared: number;
  readonly mismatches: readonly string[];
}

interface ServerEntity {
  readonly hashed_keys: string;
  readonly models: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * Every entity × model of the server against RECS: values converted by the component's schema must be equal, and RECS
 * must hold nothing the server does not.
 */
export function diffWorld(serverEntities: readonly ServerEntity[], components: Readonly<Record<string, Component<Schema, Metadata, unknown>>>): WorldDiff {
  const byModel = new Map<string, Component<Schema, Metadata, unknown>>();
  for (const component of Object.values(components)) {
    const tag = modelTagOf(component);
    if (tag !== undefined) byModel.set(tag, component);
  }
  const mismatches: string[] = [];
  const expected = new Set<string>();
  let compared = 0;
  for (const entity of serverEntities) {
    const id = normalizeEntityId(entity.hashed_keys);
    for (const [tag, members] of Object.entries(entity.models)) {
      const component = byModel.get(tag);
      if (component === undefined) continue;
      compared += 1;
      expected.add(`${tag}|${id}`);
      const want: Record<string, unknown> = {};
      for (const field of Object.keys(component.schema)) {
        want[field] = convertValue(component.schema[field] as RecsType | Schema, members[field] as ToriiValue, `${tag}.${field}`);
      }
      const got = getComponentValue(component, id as Entity);
      if (!isDeepStrictEqual(got, want)) mismatches.push(`${tag} ${id}: RECS ${show(got)} ≠ server ${show(want)}`);
    }
  }
  for (const [tag, component] of byModel) {
    for (const entity of getComponentEntities(component)) {
      if (expected.has(`${tag}|${entity}`)) continue;
      compared += 1;
      mismatches.push(`${tag} ${entity}: in RECS but not on the server`);
    }
  }
  return { compared, mismatches };
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? `${inner}n` : inner)) ?? "undefined";
}

import type { Entity, Schema, Type as RecsType } from "@dojoengine/recs";
import { isDeepStrictEqual } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { normalizeEntityId } from "../../src/core/entity-id";
import type { ToriiValue } from "../../src/core/types";
import { modelTagOf } from "../../src/core/writer/bindings";
import { convertValue } from "../../src/core/writer/convert";
import type { MapLayer, MapSnapshot } from "../../src/map/projection";
import { blitzMapLayers, blitzMapProjection, waitFor } from "torii-sync-guard/testing";
import { converged, realClientRigs } from "../support/real-client";

const rigs = realClientRigs();
afterEach(() => rigs.teardown());

type Row = { layer: string; entity: string; x: number; y: number; fields: unknown };

/** What the map must show, computed from the server's own state through the same layer definitions. */
function expectedMap(entities: ReadonlyArray<{ hashed_keys: string; models: Readonly<Record<string, Readonly<Record<string, unknown>>>> }>, layers: Record<string, MapLayer<Schema, unknown>>): Map<string, Row> {
  const byModel = new Map(Object.entries(layers).map(([name, layer]) => [modelTagOf(layer.component) as string, { name, layer }]));
  const rows = new Map<string, Row>();
  for (const entity of entities) {
    const id = normalizeEntityId(entity.hashed_keys) as string as Entity;
    for (const [tag, members] of Object.entries(entity.models)) {
      const found = byModel.get(tag);
      if (found === undefined) continue;
      const schema = found.layer.component.schema;
      const value = Object.fromEntries(Object.keys(schema).map((field) => [field, convertValue(schema[field] as RecsType | Schema, members[field] as ToriiValue, field)]));
      const position = found.layer.position(value as never, id);
      if (position === undefined) continue;
      rows.set(`${found.name}|${id}`, { layer: found.name, entity: id, x: position.x, y: position.y, fields: found.layer.fields(value as never, id) });
    }
  }
  return rows;
}

function mapRows(map: MapSnapshot): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const tile of map.tiles()) {
    for (const [layer, items] of Object.entries(tile.layers)) {
      for (const item of items) rows.set(`${layer}|${item.entity}`, { layer, entity: item.entity, x: item.x, y: item.y, fields: item.fields });
    }
  }
  return rows;
}

describe("map data from the ECS, end to end with the real client", () => {
  it("should equal the server's world after armies move and owners change under reorder chaos, a quiet stream and a replay", async () => {
    const { fake, pipeline, components } = await rigs.start(41, () => ({ guard: { replayPageLimit: 30 } }));
    const projection = blitzMapProjection(components);
    projection.start();
    await pipeline.start();
    fake.chaos.set({ reorderWindow: 6, reorderFlushMs: 15, jitterMs: 5, duplicateProbability: 0.1 });
    const [structure] = fake.world.idsWith("blitz-Structure");
    if (structure === undefined) throw new Error("the world has no structure");
    for (let burst = 0; burst < 25; burst += 1) {
      fake.world.step(4);
      // A capture: the structure changes owner (a member update of one model).
      fake.world.updateMembers(structure, "blitz-Structure", { owner: `0x${(0xc0ffee + burst).toString(16)}` });
      await waitFor(() => fake.chaos.subscribers().every((s) => s.pending === 0), { description: "the reorder window to flush" });
    }
    await pipeline.forceReplay();
    await converged(fake, components);
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    const expected = expectedMap(fake.world.entities(), blitzMapLayers(components));
    const actual = mapRows(projection.getSnapshot());
    const differing = [...expected.keys()].filter((key) => !isDeepStrictEqual(actual.get(key), expected.get(key)));
    const extra = [...actual.keys()].filter((key) => !expected.has(key));
    expect(differing).toEqual([]);
    expect(extra).toEqual([]);
    const tiles = new Set([...expected.values()].map((row) => `${row.x},${row.y}`));
    expect(tiles.size).toBeGreaterThan(20);
    expect(projection.getSnapshot().item("structures", normalizeEntityId(structure) as string as Entity)?.fields).toMatchObject({ owner: BigInt(0xc0ffee + 24) });
    console.info(`[map e2e] compared ${expected.size} map items on ${tiles.size} tiles: 0 different`);
    projection.stop();
  });
});

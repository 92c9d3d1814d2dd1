import { describe, expect, it } from "vitest";
import type { EntityModelRecord } from "../../src/persist/layout";
import { entityMessages } from "../../src/persist/messages";
import { id, u32 } from "./persist-fakes";

function record(model: string, members: Record<string, [number, number]>, deletedAt?: number): EntityModelRecord {
  const names = Object.keys(members);
  const made: EntityModelRecord = {
    scope: "entities",
    entityId: id(1),
    model,
    names,
    values: names.map((name) => u32((members[name] as [number, number])[0])),
    ats: names.map((name) => (members[name] as [number, number])[1]),
  };
  if (deletedAt !== undefined) made.deletedAt = deletedAt;
  return made;
}

const shape = (messages: ReturnType<typeof entityMessages>): Array<[number, Record<string, string[]>]> =>
  messages.map((m) => [m.executed_at, Object.fromEntries(Object.entries(m.models).map(([model, members]) => [model, Object.keys(members)]))]);

describe("cached state as Torii entity messages", () => {
  it("should give one message per distinct executed_at, oldest first, each with the members written then", () => {
    const messages = entityMessages(id(1), undefined, [record("ns-Army", { hp: [1, 105], x: [2, 100] }), record("ns-Tile", { owner: [3, 100] })]);
    expect(shape(messages)).toEqual([
      [100, { "ns-Army": ["x"], "ns-Tile": ["owner"] }],
      [105, { "ns-Army": ["hp"] }],
    ]);
    expect(messages[0]).toMatchObject({ hashed_keys: id(1), updated_at: 100, created_at: 100 });
  });

  it("should send deletes as Torii does: {} for a model, models: {} for the entity, before writes of the same second", () => {
    const messages = entityMessages(id(1), 100, [record("ns-Army", { hp: [1, 110] }, 110), record("ns-Tile", { owner: [3, 100] }), record("ns-Flag", {}, 105)]);
    expect(shape(messages)).toEqual([
      [100, {}],
      [100, { "ns-Tile": ["owner"] }],
      [105, { "ns-Flag": [] }],
      [110, { "ns-Army": [] }],
      [110, { "ns-Army": ["hp"] }],
    ]);
  });
});

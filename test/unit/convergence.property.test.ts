import { createWorld, defineComponent, getComponentValue, Type as RecsType, type Entity } from "@dojoengine/recs";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import type { ToriiValue } from "../../src/core/types";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
/** A guard against a hang, not a speed check: a run costs a few ms, many more on a loaded machine. */
const TIMEOUT_MS = 30_000 + RUNS * 30;

const FIELDS = {
  "prop-Pos": ["x", "y"],
  "prop-Stats": ["hp", "gold", "name"],
} as const;
type Model = keyof typeof FIELDS;
const MODELS = Object.keys(FIELDS) as Model[];

type Op =
  | { kind: "write"; entity: number; model: Model; members: string[]; seed: number }
  | { kind: "deleteModel"; entity: number; model: Model }
  | { kind: "deleteEntity"; entity: number };

const toriiValue = (model: Model, member: string, seed: number): ToriiValue => {
  if (model === "prop-Pos") return ty.u32(seed % 1000);
  if (member === "hp") return ty.u8(seed % 256);
  if (member === "gold") return ty.u128(BigInt(seed) * 10n ** 20n);
  return ty.enum("Name", `N${seed % 7}`);
};
const recsValue = (model: Model, member: string, seed: number): unknown => {
  if (model === "prop-Pos") return seed % 1000;
  if (member === "hp") return seed % 256;
  if (member === "gold") return BigInt(seed) * 10n ** 20n;
  return `N${seed % 7}`;
};

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("write" as const), entity: fc.integer({ min: 1, max: 4 }), model: fc.constantFrom(...MODELS), members: fc.constant([] as string[]), seed: fc.nat(1_000_000) }).chain((op) =>
      fc.subarray([...FIELDS[op.model]], { minLength: 1 }).map((members) => ({ ...op, members })),
    ) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleteModel" as const), entity: fc.integer({ min: 1, max: 4 }), model: fc.constantFrom(...MODELS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleteEntity" as const), entity: fc.integer({ min: 1, max: 4 }) }) },
);

/** A history's messages as Torii sends them: version i+1 is the block timestamp, strictly increasing. */
function toMessages(history: Op[]) {
  return history.map((op, i) => {
    const at = 1000 + i;
    if (op.kind === "deleteEntity") return rawEntity(op.entity, at, {});
    if (op.kind === "deleteModel") return rawEntity(op.entity, at, { [op.model]: {} });
    const members = Object.fromEntries(op.members.map((m) => [m, toriiValue(op.model, m, op.seed)]));
    return rawEntity(op.entity, at, { [op.model]: members });
  });
}

/** The history applied in true order: members per entity × model; a component is visible once every field is known. */
function expectedWorld(history: Op[]): Map<string, Record<string, unknown> | undefined> {
  const state = new Map<string, Map<string, unknown>>();
  for (const op of history) {
    if (op.kind === "deleteEntity") for (const model of MODELS) state.delete(`${op.entity}|${model}`);
    else if (op.kind === "deleteModel") state.delete(`${op.entity}|${op.model}`);
    else {
      const key = `${op.entity}|${op.model}`;
      const members = state.get(key) ?? new Map<string, unknown>();
      for (const member of op.members) members.set(member, recsValue(op.model, member, op.seed));
      state.set(key, members);
    }
  }
  const result = new Map<string, Record<string, unknown> | undefined>();
  for (let entity = 1; entity <= 4; entity += 1) {
    for (const model of MODELS) {
      const members = state.get(`${entity}|${model}`);
      const complete = members !== undefined && FIELDS[model].every((f) => members.has(f));
      result.set(`${entity}|${model}`, complete ? Object.fromEntries(members) : undefined);
    }
  }
  return result;
}

async function deliver(messages: unknown[], drainAfter: boolean[]) {
  const world = createWorld();
  const components = {
    Pos: defineComponent(world, { x: RecsType.Number, y: RecsType.Number }, { metadata: { namespace: "prop", name: "Pos" } }),
    Stats: defineComponent(world, { hp: RecsType.Number, gold: RecsType.BigInt, name: RecsType.String }, { metadata: { namespace: "prop", name: "Stats" } }),
  };
  const client = new MemoryToriiClient();
  const pipeline = createSyncPipeline({ client, world, components });
  void pipeline.start();
  await vi.advanceTimersByTimeAsync(0);
  for (const [index, message] of messages.entries()) {
    client.emit(message);
    if (drainAfter[index % Math.max(1, drainAfter.length)] === true) await vi.advanceTimersByTimeAsync(60);
  }
  await vi.advanceTimersByTimeAsync(200);
  const actual = new Map<string, Record<string, unknown> | undefined>();
  for (let entity = 1; entity <= 4; entity += 1) {
    actual.set(`${entity}|prop-Pos`, getComponentValue(components.Pos, paddedId(entity) as Entity) as Record<string, unknown> | undefined);
    actual.set(`${entity}|prop-Stats`, getComponentValue(components.Stats, paddedId(entity) as Entity) as Record<string, unknown> | undefined);
  }
  const rejected = pipeline.metrics().rejected;
  pipeline.cancel();
  return { actual, rejected };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("convergence (property)", () => {
  it("should end equal to the history applied in true order, whatever the reordering, duplication and batch splits", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        async (history, sortKeys, duplicates, drainAfter) => {
          const messages = toMessages(history);
          const order = messages.map((_, i) => i).sort((a, b) => (sortKeys[a] ?? a) - (sortKeys[b] ?? b) || a - b);
          const delivered = order.map((i) => messages[i]);
          for (const d of duplicates) delivered.splice(d % (delivered.length + 1), 0, messages[d % messages.length]);
          const { actual, rejected } = await deliver(delivered, drainAfter);
          expect(rejected).toBe(0);
          expect(actual).toEqual(expectedWorld(history));
        },
      ),
      { numRuns: RUNS },
    );
  }, TIMEOUT_MS);

  it("should lose nothing when delivered in order, in any batch split", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), async (history, drainAfter) => {
        const { actual } = await deliver(toMessages(history), drainAfter);
        expect(actual).toEqual(expectedWorld(history));
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT_MS);
});

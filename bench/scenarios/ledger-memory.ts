import { createWorld } from "@dojoengine/recs";
import { createDropRecorder } from "../../src/core/drops";
import type { EntityId } from "../../src/core/entity-id";
import { EntityLedger } from "../../src/core/ledger";
import { PendingStore } from "../../src/core/pending-store";
import type { ToriiValue } from "../../src/core/types";
import { packVersion, type Version } from "../../src/core/version";
import { bindComponents, type ComponentBinding } from "../../src/core/writer/bindings";
import { memoryAfterGc, type MemoryReading } from "../measure/heap";
import { goal, type Column, type ScenarioReport } from "../report/types";
import { entityIds } from "../workload/entities";
import { BENCH_MODELS, defineBenchComponents, membersPerModel } from "../workload/models";

/** The scale: a million entity-models (entities × the three bench models, rounded up). */
export const MEMORY_ENTITY_MODELS = 1_000_000;
/** The bars, bytes per entity-model. */
export const LEDGER_GOAL_BYTES = 100;
export const QUEUE_GOAL_BYTES = 300;
/** Members of each model that a later partial update moves past the model's floor. */
const PARTIAL_MEMBERS = 2;
// No warm-up: the figures are byte counts, not times (samples agree to the byte); two samples show that they do.
const SAMPLES = { warmup: 0, measured: 2 };

const COLUMNS: readonly Column[] = [
  { key: "perEntityModel", label: "**bytes per entity-model** (heapUsed + arrayBuffers, mean of samples)", format: "count" },
  { key: "heapPerEntityModel", label: "of which JS heap (heapUsed)", format: "count" },
  { key: "buffersPerEntityModel", label: "of which typed-array stores (arrayBuffers)", format: "count" },
  { key: "total", label: "total", format: "bytes" },
  { key: "samples", label: "bytes per entity-model, each sample", format: "text" },
];

interface ModelWrites {
  readonly tag: string;
  readonly whole: ReadonlyMap<string, Version>;
  readonly newer: ReadonlyMap<string, Version>;
}

/** Growth of one structure, and what it holds, per sample. */
interface Sample {
  readonly heap: number;
  readonly buffers: number;
}

const grown = (before: MemoryReading, after: MemoryReading): Sample => ({ heap: after.heapUsed - before.heapUsed, buffers: after.arrayBuffers - before.arrayBuffers });

/**
 * Memory at a million entity-models, after forced collections, counting the JS heap and the typed arrays' backing
 * stores (which `heapUsed` leaves out): the entity ledger after whole writes (then after partial ones), and the
 * pending store holding a million entity-models. Entity ids, and the member values a pending update points at, are
 * allocated before the first reading: they belong to RECS and to the messages; the structures only point at them.
 */
export async function runLedgerMemoryScenario(log: (line: string) => void): Promise<ScenarioReport> {
  const models: ModelWrites[] = BENCH_MODELS.map((model) => {
    const names = model.members.map((member) => member.name);
    return { tag: model.tag, whole: versions(names, packVersion(1_700_000_000, 0)), newer: versions(names.slice(0, PARTIAL_MEMBERS), packVersion(1_700_000_001, 0)) };
  });
  const entities = Math.ceil(MEMORY_ENTITY_MODELS / models.length);
  const entityModels = entities * models.length;
  const ids = entityIds(entities).padded as readonly EntityId[];
  log(`memory: ${entities.toLocaleString("en-US")} entities × ${models.length} models = ${entityModels.toLocaleString("en-US")} entity-models`);

  const whole: Sample[] = [];
  const partial: Sample[] = [];
  const queue: Sample[] = [];
  let memberVersions = { whole: 0, partial: 0 };
  for (let index = 0; index < SAMPLES.warmup + SAMPLES.measured; index += 1) {
    const ledger = await measureLedger(ids, models);
    const pending = await measureQueue(ids);
    log(`  sample ${index + 1}/${SAMPLES.warmup + SAMPLES.measured}${index < SAMPLES.warmup ? " (warm-up)" : ""}: ledger ${perModel(ledger.whole, entityModels).toFixed(0)} B, queue ${perModel(pending, entityModels).toFixed(0)} B per entity-model`);
    if (index < SAMPLES.warmup) continue;
    whole.push(ledger.whole);
    partial.push(ledger.partial);
    queue.push(pending);
    memberVersions = ledger.memberVersions;
  }

  const row = (samples: readonly Sample[]) => {
    const mean = (pick: (sample: Sample) => number): number => samples.reduce((sum, sample) => sum + pick(sample), 0) / samples.length / entityModels;
    return {
      perEntityModel: mean((sample) => sample.heap + sample.buffers),
      heapPerEntityModel: mean((sample) => sample.heap),
      buffersPerEntityModel: mean((sample) => sample.buffers),
      total: mean((sample) => sample.heap + sample.buffers) * entityModels,
      samples: samples.map((sample) => perModel(sample, entityModels).toFixed(0)).join(", "),
    };
  };
  const ledgerRow = row(whole);
  const queueRow = row(queue);
  return {
    id: "memory",
    title: "5. Memory at 1M entity-models",
    workload:
      `${entities.toLocaleString("en-US")} entities × ${models.length} models (${membersPerModel(BENCH_MODELS)} members each) = ${entityModels.toLocaleString("en-US")} entity-models. ` +
      "Ledger: one `EntityLedger` laid out with the bound models, as the pipeline makes it, given every entity-model by a whole write (`admitWrite(id, tag, versions, true)`), " +
      `then ${PARTIAL_MEMBERS} members of each at a newer version by a partial write. ` +
      "Queue: one `PendingStore` over the bench components' bindings, holding every entity-model pending (`slotFor` + `mergeWrite` of a whole write each). " +
      `Growth of heapUsed + arrayBuffers (\`process.memoryUsage()\`) after \`global.gc()\`, ÷ entity-models, mean of ${SAMPLES.measured} samples after ${SAMPLES.warmup} warm-up.`,
    facts: { entities, models: models.length, entityModels, partialMembersPerModel: PARTIAL_MEMBERS, memberVersionsAfterWhole: memberVersions.whole, memberVersionsAfterPartial: memberVersions.partial },
    columns: COLUMNS,
    rows: [
      { pipeline: "ledger: every entity-model written whole", values: ledgerRow },
      { pipeline: `ledger: plus ${PARTIAL_MEMBERS} newer members per entity-model`, values: row(partial) },
      { pipeline: "queue: every entity-model pending (whole write)", values: queueRow },
    ],
    goals: [
      goal("ledger bytes per entity-model after whole writes (heapUsed + arrayBuffers)", ledgerRow.perEntityModel, "at most", LEDGER_GOAL_BYTES, "count"),
      goal("queue bytes per pending entity-model (heapUsed + arrayBuffers)", queueRow.perEntityModel, "at most", QUEUE_GOAL_BYTES, "count"),
    ],
    notes: [
      "Entity ids (66-character strings) are allocated before the first reading and not counted: RECS and the stream hold them anyway; the ledger's id → slot `Map` is counted, since it is the ledger's own.",
      "The queue's entity → slot lookup is the ledger's in the pipeline (counted above), so here it is a lookup made before the first reading. " +
        "The member values a pending entity-model points at belong to the client's messages and are allocated before the reading too (one object per model, shared): the figure is the store's own cost, its references included.",
      "Typed arrays grow by doubling, so the figures include the spare capacity a store of this size really has.",
      `The pipeline's default \`queue.highWaterMark\` is 100,000 pending entities (${(100_000 * models.length).toLocaleString("en-US")} entity-models of these models); the store here is given room for all ${entities.toLocaleString("en-US")} to measure the cost per entity-model at 1M.`,
    ],
  };
}

async function measureLedger(ids: readonly EntityId[], models: readonly ModelWrites[]): Promise<{ whole: Sample; partial: Sample; memberVersions: { whole: number; partial: number } }> {
  const before = await memoryAfterGc();
  const ledger = new EntityLedger(
    () => false,
    BENCH_MODELS.map((model) => ({ tag: model.tag, fields: model.members.map((member) => member.name) })),
  );
  for (const id of ids) for (const { tag, whole } of models) ledger.admitWrite(id, tag, whole, true);
  const afterWhole = await memoryAfterGc();
  const wholeVersions = ledger.stats().memberVersions;
  for (const id of ids) for (const { tag, newer } of models) ledger.admitWrite(id, tag, newer, false);
  const afterPartial = await memoryAfterGc();
  const stats = ledger.stats();
  if (stats.entities !== ids.length || stats.models !== ids.length * models.length) throw new Error(`ledger tracks ${stats.entities} entities, ${stats.models} models`);
  return { whole: grown(before, afterWhole), partial: grown(before, afterPartial), memberVersions: { whole: wholeVersions, partial: stats.memberVersions } };
}

async function measureQueue(ids: readonly EntityId[]): Promise<Sample> {
  const bindings: ComponentBinding[] = [...bindComponents(defineBenchComponents(createWorld(), BENCH_MODELS)).values()];
  // One members object per model, as a whole write of it carries: the values are the message's, not the store's.
  const members = BENCH_MODELS.map((model) => Object.fromEntries(model.members.map((member, index) => [member.name, member.toTorii(index)])) as Record<string, ToriiValue>);
  const slots = new Map(ids.map((id, index) => [id, index]));
  const entitySlot = (_scope: string, id: EntityId): number => slots.get(id) as number;
  const drops = createDropRecorder();
  const before = await memoryAfterGc();
  const store = new PendingStore(bindings, { highWaterMark: ids.length + 1, drops, entitySlot });
  const at = packVersion(1_700_000_000, 0);
  for (const id of ids) {
    const slot = store.slotFor("entities", id, 1_700_000_000);
    for (const binding of bindings) store.mergeWrite(slot, binding.index, members[binding.index] as Record<string, ToriiValue>, at, at);
  }
  const after = await memoryAfterGc();
  if (store.size !== ids.length) throw new Error(`the pending store holds ${store.size} entities, not ${ids.length}`);
  if (drops.counts.overflow > 0 || drops.counts.superseded > 0) throw new Error("the pending store dropped updates while filling");
  // Read after the measurement so the store (and what it points at) is alive through it.
  if (slots.size !== ids.length || members.length !== bindings.length) throw new Error("memory workload changed under the measurement");
  return grown(before, after);
}

function perModel(sample: Sample, entityModels: number): number {
  return (sample.heap + sample.buffers) / entityModels;
}

function versions(members: readonly string[], version: Version): Map<string, Version> {
  return new Map(members.map((member) => [member, version]));
}

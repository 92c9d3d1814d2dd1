import type { EntityId } from "../../src/core/entity-id";
import { EntityLedger } from "../../src/core/ledger";
import { packVersion, type Version } from "../../src/core/version";
import { collectGarbage, heapUsedAfterGc } from "../measure/heap";
import type { Column, ScenarioReport } from "../report/types";
import { entityIds } from "../workload/entities";
import { BENCH_MODELS, membersPerModel } from "../workload/models";

const ENTITIES = 100_000;
/** Members of each model that a later partial update moves past the model's floor. */
const PARTIAL_MEMBERS = 2;
const SAMPLES = { warmup: 1, measured: 3 };

const COLUMNS: readonly Column[] = [
  { key: "bytesPerEntity", label: "bytes per entity (mean)", format: "count" },
  { key: "bytesPerEntityModel", label: "bytes per entity-model", format: "count" },
  { key: "total", label: "ledger total", format: "bytes" },
  { key: "memberVersions", label: "member versions held", format: "count" },
  { key: "samples", label: "bytes per entity, each sample", format: "text" },
];

interface ModelWrites {
  readonly tag: string;
  readonly whole: ReadonlyMap<string, Version>;
  readonly newer: ReadonlyMap<string, Version>;
}

interface Sample {
  readonly full: number;
  readonly partial: number;
  readonly fullMemberVersions: number;
  readonly partialMemberVersions: number;
}

/**
 * Heap growth of one EntityLedger, measured with full collections around it. Entity ids are allocated before the
 * first measurement: they belong to RECS and the stream, the ledger only points at them.
 */
export function runLedgerMemoryScenario(log: (line: string) => void): ScenarioReport {
  const models: ModelWrites[] = BENCH_MODELS.map((model) => {
    const names = model.members.map((member) => member.name);
    return { tag: model.tag, whole: versions(names, packVersion(1_700_000_000)), newer: versions(names.slice(0, PARTIAL_MEMBERS), packVersion(1_700_000_001)) };
  });
  const tags = models.map((model) => model.tag);
  const ids = entityIds(ENTITIES).padded as readonly EntityId[];
  log(`ledger memory: ${ENTITIES} entities × ${tags.length} models`);
  const samples: Sample[] = [];
  for (let index = 0; index < SAMPLES.warmup + SAMPLES.measured; index += 1) {
    const sample = measure(ids, models);
    if (index >= SAMPLES.warmup) samples.push(sample);
  }
  const mean = (pick: (sample: Sample) => number): number => samples.reduce((sum, sample) => sum + pick(sample), 0) / samples.length;
  const row = (pick: (sample: Sample) => number, memberVersions: number) => ({
    bytesPerEntity: mean(pick),
    bytesPerEntityModel: mean(pick) / tags.length,
    total: mean(pick) * ENTITIES,
    memberVersions,
    samples: samples.map((sample) => Math.round(pick(sample))).join(", "),
  });
  return {
    id: "ledger-memory",
    title: "3. EntityLedger memory",
    workload:
      `${ENTITIES.toLocaleString("en-US")} entities × ${tags.length} models written whole (${membersPerModel(BENCH_MODELS)} members each), then every entity-model given ${PARTIAL_MEMBERS} ` +
      `members at a newer version by a partial write. Heap delta after \`global.gc()\`, ÷ entities, mean of ${SAMPLES.measured} samples after ${SAMPLES.warmup} warm-up.`,
    facts: { entities: ENTITIES, models: tags.length, partialMembersPerModel: PARTIAL_MEMBERS },
    columns: COLUMNS,
    rows: [
      { pipeline: "every model written whole", values: row((sample) => sample.full, samples[0]?.fullMemberVersions ?? 0) },
      { pipeline: `plus ${PARTIAL_MEMBERS} newer members per entity-model`, values: row((sample) => sample.partial, samples[0]?.partialMemberVersions ?? 0) },
    ],
    goals: [],
    notes: ["No goal was set for memory; the figures are here to track."],
  };
}

function measure(ids: readonly EntityId[], models: readonly ModelWrites[]): Sample {
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const ledger = new EntityLedger();
  for (const id of ids) for (const { tag, whole } of models) ledger.admitWrite(id, tag, whole, true);
  const afterFull = heapUsedAfterGc();
  const fullMemberVersions = ledger.stats().memberVersions;
  for (const id of ids) for (const { tag, newer } of models) ledger.admitWrite(id, tag, newer, false);
  const afterPartial = heapUsedAfterGc();
  const stats = ledger.stats();
  if (stats.entities !== ids.length || stats.models !== ids.length * models.length) throw new Error(`ledger tracks ${stats.entities} entities, ${stats.models} models`);
  return {
    full: (afterFull - before) / ids.length,
    partial: (afterPartial - before) / ids.length,
    fullMemberVersions,
    partialMemberVersions: stats.memberVersions,
  };
}

function versions(members: readonly string[], version: Version): Map<string, Version> {
  return new Map(members.map((member) => [member, version]));
}

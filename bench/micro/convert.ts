// Micro-benchmark of convertValue, the per-member cost of every applied update.
// Run: node --import tsx bench/micro/convert.ts [--rounds 9] [--ms 200] [--against path/to/other/convert.ts]
// Time is the process's CPU time, not the wall clock, so other work on a shared machine disturbs it less; each case
// reports the best and the median round. With --against, rounds of both implementations alternate in one process
// and the ratio (this / other, best rounds) is printed: that is how the before/after figures were taken.
import { Type as RecsType, type Schema } from "@dojoengine/recs";
import { pathToFileURL } from "node:url";
import type { ToriiValue } from "../../src/core/types";
import { convertValue, type ConversionNotes } from "../../src/core/writer/convert";

type SchemaType = RecsType | Schema;

const prim = (type_name: string, value: unknown): ToriiValue => ({ type: "primitive", type_name, value, key: false });
const hex = (value: bigint): string => `0x${value.toString(16).padStart(64, "0")}`;

interface Case {
  readonly name: string;
  readonly schema: SchemaType;
  /** Several values, so the engine cannot specialise on one constant. */
  readonly values: readonly ToriiValue[];
}

const unit: ToriiValue = { type: "tuple", type_name: "()", value: [], key: false };
const direction = (option: string): ToriiValue => ({ type: "enum", type_name: "Direction", value: { option, value: unit }, key: false });

const CASES: readonly Case[] = [
  { name: "u32 number → Number", schema: RecsType.Number, values: [7, 4_000_000_000, 123_456, 0].map((v) => prim("u32", v)) },
  { name: "u64 decimal small → Number", schema: RecsType.Number, values: ["12", "1700000000", "123456789012345", "9007199254740991"].map((v) => prim("u64", v)) },
  { name: "u64 decimal > 2^53 → Number", schema: RecsType.Number, values: ["9007199254740993", "18446744073709551615", "12345678901234567890", "9007199254740999"].map((v) => prim("u64", v)) },
  { name: "u128 decimal → BigInt", schema: RecsType.BigInt, values: [2n ** 100n, 5n, 2n ** 127n + 3n, 10n ** 30n].map((v) => prim("u128", v.toString())) },
  { name: "felt hex → BigInt", schema: RecsType.BigInt, values: [0xabcn, 2n ** 250n + 17n, 0x49d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7n, 1n].map((v) => prim("felt252", hex(v))) },
  { name: "enum → String", schema: RecsType.String, values: ["Left", "Right", "Up", "Down"].map(direction) },
  {
    name: "struct of 3 members → nested schema",
    schema: { x: RecsType.Number, y: RecsType.Number, owner: RecsType.BigInt },
    values: [1, 2, 3, 4].map(
      (i): ToriiValue => ({
        type: "struct",
        type_name: "Vec2",
        value: { x: prim("u32", i), y: prim("u32", i * 7), owner: prim("ContractAddress", hex(BigInt(i) * 0x1234567n)) },
        key: false,
      }),
    ),
  },
];

const notes: ConversionNotes = { precisionLoss: () => undefined };

type Convert = (schemaType: SchemaType, ty: ToriiValue, where: string, notes?: ConversionNotes) => unknown;

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function numberOption(name: string, fallback: number): number {
  const raw = Number(option(name));
  return Number.isFinite(raw) && raw > 0 ? raw : fallback;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** One timed round: converts as many values as fit in `budgetMs` of CPU time, in batches, and returns ops/s. */
function round(convert: Convert, c: Case, budgetMs: number): { opsPerSecond: number; threw: number } {
  const batch = 4096;
  const values = c.values;
  let sink = 0;
  let threw = 0;
  let ops = 0;
  const start = cpuMs();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    for (let i = 0; i < batch; i += 1) {
      try {
        if (convert(c.schema, values[i & 3] as ToriiValue, "bench.field", notes) !== undefined) sink += 1;
      } catch {
        threw += 1;
      }
    }
    ops += batch;
    elapsed = cpuMs() - start;
  }
  if (sink === -1) console.log("unreachable");
  return { opsPerSecond: (ops / elapsed) * 1000, threw };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

interface Measured {
  best: number;
  median: number;
  threw: number;
}

function summarise(samples: readonly number[], threw: number): Measured {
  return { best: Math.max(...samples), median: median(samples), threw };
}

function show(label: string, m: Measured): string {
  const note = m.threw > 0 ? ` (threw ${m.threw}×: this case errors here)` : "";
  return `${label} best ${(m.best / 1e6).toFixed(2).padStart(6)}  median ${(m.median / 1e6).toFixed(2).padStart(6)} M ops/s${note}`;
}

async function main(): Promise<void> {
  const rounds = numberOption("rounds", 9);
  const budgetMs = numberOption("ms", 200);
  const againstPath = option("against");
  const against = againstPath === undefined ? undefined : ((await import(pathToFileURL(againstPath).href)) as { convertValue: Convert }).convertValue;
  const results: Record<string, number> = {};
  console.log(`convertValue micro-benchmark: ${rounds} rounds × ${budgetMs} ms CPU per case, Node ${process.version}`);
  for (const c of CASES) {
    const runs: Array<{ convert: Convert; samples: number[]; threw: number }> = [{ convert: convertValue, samples: [], threw: 0 }];
    if (against !== undefined) runs.push({ convert: against, samples: [], threw: 0 });
    for (const run of runs) round(run.convert, c, 100); // warm up: let the JIT settle before measuring
    for (let r = 0; r < rounds; r += 1) {
      for (const run of runs) {
        const { opsPerSecond, threw } = round(run.convert, c, budgetMs);
        run.samples.push(opsPerSecond);
        run.threw += threw;
      }
    }
    const [self, other] = runs.map((run) => summarise(run.samples, run.threw));
    if (self === undefined) continue;
    results[c.name] = Math.round(self.best);
    console.log(c.name);
    console.log(show("  this   ", self));
    if (other !== undefined) console.log(`${show("  against", other)}\n  ratio ${(self.best / other.best).toFixed(2)}×`);
  }
  console.log(JSON.stringify({ bench: "convert", node: process.version, results }));
}

await main();

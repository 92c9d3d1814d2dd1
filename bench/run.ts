import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { describeEnvironment } from "./measure/environment";
import { now } from "./measure/timing";
import { renderMarkdown, renderPersistSection } from "./report/markdown";
import { readSoakReport } from "./report/soak";
import type { BenchReport, ScenarioReport } from "./report/types";
import { runBrowserBurstScenario } from "./scenarios/browser-burst";
import { runBurstScenario } from "./scenarios/burst";
import { runEndToEndScenario } from "./scenarios/end-to-end";
import { runInOrderScenario } from "./scenarios/in-order";
import { runLedgerMemoryScenario } from "./scenarios/ledger-memory";
import { runMainThreadScenario } from "./scenarios/main-thread";
import { BLOCK_CASES, type BlockCase } from "./scenarios/main-thread-cases";
import { runMapScenarios } from "./scenarios/map";
import { DEFAULT_ROUNDS } from "./scenarios/rounds";

// `npm run bench`: measures everything in this run (the heavy scenarios each in a process of their own), then writes
// bench/RESULTS.md and bench/results.json. The soak is not run here; its report is included if bench/SOAK.md exists.
//
// `npm run bench -- --only burst,memory` runs some scenarios and prints their goals without touching the report files
// (a partial run must never pass for the whole); `--cases reconcile,map-build` narrows the main-thread scenario.
const SCENARIOS = ["memory", "burst", "in-order", "main-thread", "browser", "e2e", "map"] as const;
type ScenarioId = (typeof SCENARIOS)[number];

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const only = option("only")?.split(",") as ScenarioId[] | undefined;
for (const id of only ?? []) if (!SCENARIOS.includes(id)) throw new Error(`--only ${id}: expected some of ${SCENARIOS.join(", ")}`);
const cases = (option("cases")?.split(",") ?? [...BLOCK_CASES]) as BlockCase[];
for (const id of cases) if (!BLOCK_CASES.includes(id)) throw new Error(`--cases ${id}: expected some of ${BLOCK_CASES.join(", ")}`);
const runs = (id: ScenarioId): boolean => only === undefined || only.includes(id);

const log = (line: string): void => console.log(line);
const started = now();
const environment = describeEnvironment();
log(`torii-sync-guard bench · Node ${environment.node} · ${environment.cpu} × ${environment.cores} · load ${environment.loadAverage.toFixed(2)}`);

const scenarios: ScenarioReport[] = [];
const raw: Record<string, unknown> = {};
// Memory first, while the heap holds nothing else; the timed scenarios each build and drop their own workload.
const memory = runs("memory") ? await runLedgerMemoryScenario(log) : undefined;
if (runs("burst")) scenarios.push(await runBurstScenario(DEFAULT_ROUNDS, log));
if (runs("in-order")) scenarios.push(await runInOrderScenario(DEFAULT_ROUNDS, log));
if (runs("main-thread")) {
  const blocks = await runMainThreadScenario(log, undefined, cases);
  scenarios.push(blocks.report);
  raw["mainThread"] = blocks.raw;
}
if (runs("browser")) {
  const browser = await runBrowserBurstScenario(log);
  scenarios.push(browser.report);
  raw["browser"] = browser.raw;
}
if (memory !== undefined) scenarios.push(memory);
if (runs("e2e")) {
  const e2e = await runEndToEndScenario(log);
  scenarios.push(e2e.report);
  raw["endToEnd"] = e2e.raw;
}
// Each map size runs in a child process of its own, so the heap this process has grown does not weigh on them.
const map = runs("map") ? await runMapScenarios(log) : undefined;
if (map !== undefined) scenarios.push(map.changes, map.build);

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));
// Not run here: the soak is its own ten-minute command; its report is included when it exists.
const soak = readSoakReport(here("SOAK.md"), "bench/SOAK.md");
// Likewise the persistence bench (bench/persist.ts): its report is appended after the soak's when it exists.
const persist = readSoakReport(here("PERSIST.md"), "bench/PERSIST.md");

const report: BenchReport = {
  environment,
  rounds: DEFAULT_ROUNDS,
  durationS: (now() - started) / 1000,
  loadAverageAtEnd: loadavg()[0] ?? 0,
  scenarios,
  map: map?.raw ?? [],
  raw,
  soak,
};
if (only === undefined) {
  writeFileSync(here("results.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(here("RESULTS.md"), `${renderMarkdown(report)}${renderPersistSection(persist).join("\n")}\n`);
}

for (const scenario of report.scenarios) {
  for (const goal of scenario.goals) {
    const required = goal.required === undefined || goal.met ? "" : ` (required ${goal.required.target}: ${goal.required.met ? "met" : "NOT MET"})`;
    log(`${goal.met ? "MET    " : "NOT MET"}  ${scenario.title}: ${goal.statement} → ${goal.measured.toFixed(2)} (target ${goal.comparison} ${goal.target})${required}`);
  }
}
if (only === undefined) {
  log(soak.present ? `included bench/SOAK.md (written ${soak.modified} by the soak command, not by this run)` : "bench/SOAK.md not found: RESULTS.md says so");
  log(persist.present ? `included bench/PERSIST.md (written ${persist.modified} by bench/persist.ts, not by this run)` : "bench/PERSIST.md not found: RESULTS.md says so");
  log(`wrote bench/RESULTS.md and bench/results.json in ${report.durationS.toFixed(0)} s`);
} else {
  log(`--only ${only.join(",")}: ran in ${report.durationS.toFixed(0)} s; bench/RESULTS.md and bench/results.json left as they were`);
}

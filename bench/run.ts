import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { describeEnvironment } from "./measure/environment";
import { now } from "./measure/timing";
import { renderMarkdown } from "./report/markdown";
import { readSoakReport } from "./report/soak";
import type { BenchReport } from "./report/types";
import { runBurstScenario } from "./scenarios/burst";
import { runInOrderScenario } from "./scenarios/in-order";
import { runLedgerMemoryScenario } from "./scenarios/ledger-memory";
import { runMapScenarios } from "./scenarios/map";
import { DEFAULT_ROUNDS } from "./scenarios/rounds";

// `npm run bench`: measures everything in this run (the map sizes each in a child process of their own), then writes
// bench/RESULTS.md and bench/results.json. The soak is not run here; its report is included if bench/SOAK.md exists.
const log = (line: string): void => console.log(line);
const started = now();
const environment = describeEnvironment();
log(`torii-sync-guard bench · Node ${environment.node} · ${environment.cpu} × ${environment.cores}`);

// Memory first, while the heap holds nothing else; the timed scenarios each build and drop their own workload.
const memory = runLedgerMemoryScenario(log);
const burst = await runBurstScenario(DEFAULT_ROUNDS, log);
const inOrder = await runInOrderScenario(DEFAULT_ROUNDS, log);
// Each map size runs in a child process of its own, so the heap this process has grown does not weigh on them.
const map = await runMapScenarios(log);
const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));
// Not run here: the soak is its own ten-minute command; its report is included when it exists.
const soak = readSoakReport(here("SOAK.md"), "bench/SOAK.md");

const report: BenchReport = {
  environment,
  rounds: DEFAULT_ROUNDS,
  durationS: (now() - started) / 1000,
  loadAverageAtEnd: loadavg()[0] ?? 0,
  scenarios: [burst, inOrder, memory, map.changes, map.build],
  map: map.raw,
  soak,
};
writeFileSync(here("results.json"), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(here("RESULTS.md"), renderMarkdown(report));

for (const scenario of report.scenarios) {
  for (const goal of scenario.goals) log(`${goal.met ? "MET    " : "NOT MET"}  ${scenario.title}: ${goal.statement} → ${goal.measured.toFixed(2)}`);
}
log(soak.present ? `included bench/SOAK.md (written ${soak.modified} by the soak command, not by this run)` : "bench/SOAK.md not found: RESULTS.md says so");
log(`wrote bench/RESULTS.md and bench/results.json in ${report.durationS.toFixed(0)} s`);

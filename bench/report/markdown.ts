import { formatCell, formatNumber } from "./format";
import { renderSoakSection } from "./soak";
import type { BenchReport, Goal, ScenarioReport } from "./types";

/** RESULTS.md: one table per scenario with a figure per line and a pipeline per column, so it reads on a narrow screen. */
export function renderMarkdown(report: BenchReport): string {
  const { environment: env, rounds } = report;
  const goals = report.scenarios.flatMap((scenario) => scenario.goals.map((goal) => ({ scenario, goal })));
  const lines = [
    "# Benchmark results",
    "",
    "Written by `npm run bench` (`bench/run.ts`); every figure below was measured in that one run. Machine-readable copy: `bench/results.json`.",
    "",
    `- **Date:** ${env.date}`,
    `- **Machine:** ${env.cpu}, ${env.cores} cores, ${env.memoryGb} GiB RAM, ${env.platform}`,
    `- **Runtime:** Node ${env.node} (V8 ${env.v8}); 1-minute load average at start ${env.loadAverage.toFixed(2)}, at end ${report.loadAverageAtEnd.toFixed(2)}`,
    `- **Code:** commit ${env.commit}${env.srcDirty ? ", with uncommitted changes in src/ (the working tree was measured)" : ""}; src/ content hash ${env.srcHash}`,
    `- **Method:** ${rounds.warmup} warm-up + ${rounds.measured} measured rounds per timed scenario of the sync pipeline (1–2); each round runs every pipeline once on a fresh RECS world, in turn. ` +
      "The map scenarios (4–5) run each size in a process of their own and state their own repetitions. " +
      "Times are the median of the measured rounds (min–max in brackets); other figures are medians too unless the label says otherwise. " +
      `Heap figures are taken after \`global.gc()\`. The whole bench took ${report.durationS.toFixed(0)} s. ` +
      "When the load average is above the core count, other processes took turns on the cores: wall times spread, and the CPU-time row shows the work itself " +
      "(it can exceed wall time, since V8 collects garbage and compiles on helper threads).",
    "",
    "## Goals",
    "",
    "| scenario | goal | measured | target | met |",
    "|---|---|---|---|---|",
    ...goals.map(({ scenario, goal }) => `| ${scenario.title} | ${goal.statement} | ${formatNumber(goal.measured, goal.format)} | ${target(goal)} | ${goal.met ? "✅ yes" : "❌ no"} |`),
    "",
    ...report.scenarios.flatMap(renderScenario),
    ...renderSoakSection(report.soak),
  ];
  return `${lines.join("\n")}\n`;
}

function target(goal: Goal): string {
  return `${goal.comparison === "at least" ? "≥" : "≤"} ${formatNumber(goal.target, goal.format)}`;
}

function renderScenario(scenario: ScenarioReport): string[] {
  const facts = Object.entries(scenario.facts).map(([name, value]) => `${name} ${typeof value === "number" ? formatNumber(value, "count") : value}`);
  return [
    `## ${scenario.title}`,
    "",
    scenario.workload,
    "",
    `Workload as generated: ${facts.join(" · ")}.`,
    "",
    `| figure | ${scenario.rows.map((row) => row.pipeline).join(" | ")} |`,
    `|---|${scenario.rows.map(() => "---:").join("|")}|`,
    ...scenario.columns.map((column) => `| ${column.label} | ${scenario.rows.map((row) => formatCell(row.values[column.key], column.format)).join(" | ")} |`),
    "",
    ...scenario.goals.map((goal) => `- Goal: ${goal.statement}: **${formatNumber(goal.measured, goal.format)}** (target ${target(goal)}) — ${goal.met ? "met" : "**not met**"}.`),
    ...scenario.notes.map((note) => `- ${note}`),
    "",
  ];
}

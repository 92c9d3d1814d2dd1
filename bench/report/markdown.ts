import { formatCell, formatNumber } from "./format";
import { renderSoakSection, type SoakInclusion } from "./soak";
import type { BenchReport, Goal, ScenarioReport } from "./types";

/** RESULTS.md: one table per scenario with a figure per line and a pipeline per column, so it reads on a narrow screen. */
export function renderMarkdown(report: BenchReport): string {
  const { environment: env, rounds } = report;
  const goals = report.scenarios.flatMap((scenario) => scenario.goals.map((goal) => ({ scenario, goal })));
  const speed = goals.filter(({ scenario }) => SPEED_ISSUE_SCENARIOS.includes(scenario.id));
  const others = goals.filter(({ scenario }) => !SPEED_ISSUE_SCENARIOS.includes(scenario.id));
  const table = (rows: typeof goals): string[] => [
    "| scenario | goal | measured | target | verdict |",
    "|---|---|---|---|---|",
    ...rows.map(({ scenario, goal }) => `| ${scenario.title} | ${goal.statement} | ${formatNumber(goal.measured, goal.format)} | ${target(goal)} | ${verdict(goal)} |`),
  ];
  const lines = [
    "# Benchmark results",
    "",
    "Written by `npm run bench` (`bench/run.ts`); every figure below was measured in that one run. Machine-readable copy: `bench/results.json`.",
    "",
    `- **Date:** ${env.date}`,
    `- **Machine:** ${env.cpu}, ${env.cores} cores, ${env.memoryGb} GiB RAM, ${env.platform}`,
    `- **Runtime:** Node ${env.node} (V8 ${env.v8}); 1-minute load average at start ${env.loadAverage.toFixed(2)}, at end ${report.loadAverageAtEnd.toFixed(2)}`,
    `- **Code:** commit ${env.commit}${env.srcDirty ? ", with uncommitted changes in src/ (the working tree was measured)" : ""}; src/ content hash ${env.srcHash}`,
    `- **Method:** ${rounds.warmup} warm-up + ${rounds.measured} measured rounds per timed scenario of the sync pipeline (1–2); each round runs every pipeline once on a fresh RECS world, in turn, so ours and naive share the process and its noise. ` +
      "The main-thread cases (3), the end-to-end run (6) and each map size (7–8) run in a Node process of their own; the Chromium scenario (4) runs in a page; each states its own repetitions. " +
      "Times are the median of the measured rounds (min–max in brackets); other figures are medians too unless the label says otherwise. " +
      `Heap figures are taken after \`global.gc()\`. The whole bench took ${report.durationS.toFixed(0)} s. ` +
      "When the load average is above the core count, other processes took turns on the cores: wall times spread, and the CPU-time row shows the work itself " +
      "(it can exceed wall time, since V8 collects garbage and compiles on helper threads).",
    "",
    "## Issue 12 (Speed): acceptance",
    "",
    `${speed.filter(({ goal }) => goal.met).length} of ${speed.length} met. Each verdict is computed from the figure measured in this run; nothing here is written by hand. ` +
      "Not measured by the bench: the correctness tests, the property tests at 10,000 runs and the soak (their own commands; the soak's last report is included at the end when present).",
    "",
    ...table(speed),
    "",
    ...(others.length === 0 ? [] : ["## Other goals tracked", "", ...table(others), ""]),
    ...report.scenarios.flatMap(renderScenario),
    ...renderSoakSection(report.soak),
  ];
  return `${lines.join("\n")}\n`;
}

/** The scenarios that measure issue 12's acceptance, by id; the map's goals come from an earlier issue. */
const SPEED_ISSUE_SCENARIOS: readonly string[] = ["burst", "in-order", "main-thread", "browser-burst", "memory", "end-to-end"];

const SIGN: Readonly<Record<Goal["comparison"], string>> = { "at least": "≥", "at most": "≤", exactly: "=" };

function target(goal: Goal): string {
  const bar = `${SIGN[goal.comparison]} ${formatNumber(goal.target, goal.format)}`;
  return goal.required === undefined ? bar : `${bar} (required ${SIGN[goal.comparison]} ${formatNumber(goal.required.target, goal.format)})`;
}

/** MET / NOT MET, and for a goal with a lower required bar, whether that bar was reached. */
function verdict(goal: Goal): string {
  const met = goal.met ? "✅ MET" : "❌ NOT MET";
  if (goal.required === undefined || goal.met) return met;
  return `${met} (required bar ${goal.required.met ? "✅ met" : "❌ not met"})`;
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
    ...scenario.goals.map((goal) => `- Goal: ${goal.statement}: **${formatNumber(goal.measured, goal.format)}** (target ${target(goal)}) — ${verdict(goal)}.`),
    ...scenario.notes.map((note) => `- ${note}`),
    "",
  ];
}

/**
 * bench/PERSIST.md as found, appended after the soak the same way: written by its own command
 * (`node --expose-gc --import tsx bench/persist.ts`), never by `npm run bench`.
 */
export function renderPersistSection(persist: SoakInclusion): string[] {
  const lines = ["## Persistence (`persist`, IndexedDB)", ""];
  if (!persist.present) {
    return [...lines, `Not included: \`${persist.path}\` did not exist when this bench ran; write it with \`${PERSIST_COMMAND}\`, then run the bench again.`, ""];
  }
  return [
    ...lines,
    `Not measured by this bench run: the text below is \`${persist.path}\` as found, written by \`${PERSIST_COMMAND}\` ` +
      `(file last modified ${persist.modified}${persist.commit === undefined ? "" : `; last committed in ${persist.commit}${persist.uncommitted === true ? ", changed since" : ""}`}; sha-256 ${persist.sha256}). ` +
      "It may predate the code measured above.",
    "",
    ...persist.content
      .trimEnd()
      .split("\n")
      .map((line) => {
        const hashes = /^(#{1,6}) /.exec(line)?.[1];
        return hashes === undefined ? line : `${"#".repeat(Math.min(6, Math.max(3, hashes.length + 1)))}${line.slice(hashes.length)}`;
      }),
    "",
  ];
}

/** The command that writes bench/PERSIST.md; the bench only reads it. */
export const PERSIST_COMMAND = "node --expose-gc --import tsx bench/persist.ts";

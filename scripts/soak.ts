import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { formatSoakReport, runSoak } from "./soak/run-soak";

// npm run soak -- --seconds 60 --seed 7 [--report bench/SOAK.md]
const { values } = parseArgs({
  options: { seconds: { type: "string", default: "60" }, seed: { type: "string", default: "7" }, report: { type: "string" } },
});
const seconds = Number(values.seconds);
const seed = Number(values.seed);
if (!Number.isFinite(seconds) || seconds <= 0 || !Number.isInteger(seed)) {
  console.error("usage: npm run soak -- --seconds N --seed S [--report FILE]");
  process.exit(2);
}
console.log(`[soak] the real Torii client and the pipeline against a fake Torii, ${seconds} s, seed ${seed}`);
const report = await runSoak({ seconds, seed, progress: (line) => console.log(line) });
const text = formatSoakReport(report);
console.log(`\n${text}\n`);
if (values.report !== undefined) writeFileSync(values.report, `${text}\n`);
if (report.difference !== 0 || report.finalStatus !== "streaming") {
  console.error(`[soak] FAILED: difference ${report.difference}, final status ${report.finalStatus}`);
  process.exit(1);
}
console.log("[soak] passed: RECS equals the server");

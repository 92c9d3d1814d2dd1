import { runEndToEnd, type E2ePlan } from "./e2e/pipeline-latency";

// The end-to-end bench in a process of its own, started by scenarios/end-to-end.ts: the wasm client's memory and the
// fake's worker thread go with the process. Progress goes to stderr, the figures to stdout as one JSON line.
const [planJson] = process.argv.slice(2);
if (planJson === undefined) throw new Error("usage: e2e-child.ts '<E2ePlan as JSON>'");
const results = await runEndToEnd(JSON.parse(planJson) as E2ePlan, (line) => process.stderr.write(`${line}\n`));
process.stdout.write(`${JSON.stringify(results)}\n`);
process.exit(0);

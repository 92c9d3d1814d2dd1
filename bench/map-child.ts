import { runMapSize, type MapSizePlan } from "./scenarios/map-size";

// One map size in a process of its own, started by scenarios/map.ts: a clean heap and symbol registry per size, and
// room for 1M entities. Progress goes to stderr, the raw figures to stdout as one JSON line.
const [planJson] = process.argv.slice(2);
if (planJson === undefined) throw new Error("usage: map-child.ts '<MapSizePlan as JSON>'");
const plan = JSON.parse(planJson) as MapSizePlan;
const result = await runMapSize(plan, (line) => process.stderr.write(`${line}\n`));
process.stdout.write(`${JSON.stringify(result)}\n`);

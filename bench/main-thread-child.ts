import { BLOCK_CASES, runBlockCase, type BlockCase } from "./scenarios/main-thread-cases";
import type { Rounds } from "./scenarios/rounds";

// One main-thread case in a process of its own, started by scenarios/main-thread.ts: a clean heap per case, so a
// collection's pause belongs to the case measured. Progress goes to stderr, the figures to stdout as one JSON line.
const [id, roundsJson] = process.argv.slice(2);
if (!BLOCK_CASES.includes(id as BlockCase) || roundsJson === undefined) throw new Error(`usage: main-thread-child.ts <${BLOCK_CASES.join("|")}> '<Rounds as JSON>'`);
const result = await runBlockCase(id as BlockCase, JSON.parse(roundsJson) as Rounds, (line) => process.stderr.write(`${line}\n`));
process.stdout.write(`${JSON.stringify(result)}\n`);
// The pipelines are cancelled, but a stray timer must not keep the parent waiting.
process.exit(0);

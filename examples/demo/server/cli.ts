import { parseArgs } from "node:util";
import { startDemo, type RunningDemo } from "./start-demo";

// npm start [-- --port 5175 --seed 7 --dev --force-build]
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "5175" },
    seed: { type: "string", default: "7" },
    dev: { type: "boolean", default: false },
    "force-build": { type: "boolean", default: false },
  },
});
const port = Number(values.port);
const seed = Number(values.seed);
if (!Number.isInteger(port) || port < 0 || !Number.isInteger(seed)) {
  console.error("usage: npm start -- [--port N] [--seed S] [--dev] [--force-build]");
  process.exit(2);
}

/** The running demo once started: a signal may arrive before (during the build), and then there is nothing to close. */
const running: { demo?: RunningDemo } = {};
let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`\n[demo] ${signal}: stopping`);
  // Never hang on the way out: a second of grace, then exit regardless.
  const deadline = setTimeout(() => process.exit(0), 1_000);
  deadline.unref();
  void (running.demo?.close() ?? Promise.resolve()).finally(() => process.exit(0));
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));

const started = Date.now();
const demo = await startDemo({ port, seed, mode: values.dev ? "dev" : "build", forceBuild: values["force-build"], log: (line) => console.log(line) });
running.demo = demo;
console.log(`\n  torii-sync-guard demo: ${demo.url}   (ready in ${((Date.now() - started) / 1000).toFixed(1)} s; Ctrl-C stops it)\n`);

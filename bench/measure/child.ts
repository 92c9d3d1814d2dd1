import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface ChildOptions {
  /** Heap limit of the child, MB (Node's default otherwise). */
  readonly heapMb?: number;
  /** What the error says failed. */
  readonly what: string;
}

/**
 * Run a bench script in a Node process of its own (`--expose-gc`, tsx), its progress on our stderr, and parse the
 * last line it prints on stdout as JSON: a clean heap and symbol registry per scenario, so one scenario's garbage and
 * JIT state do not weigh on another's figures.
 */
export function runJsonChild<T>(script: string, args: readonly string[], options: ChildOptions): Promise<T> {
  return new Promise((resolve, reject) => {
    const flags = ["--expose-gc", ...(options.heapMb === undefined ? [] : [`--max-old-space-size=${options.heapMb}`]), "--import", "tsx"];
    const child = spawn(process.execPath, [...flags, fileURLToPath(new URL(script, new URL("../", import.meta.url))), ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code !== 0) {
        reject(new Error(`${options.what} failed (exit ${code ?? signal}); see its output above`));
        return;
      }
      const last = out.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(last) as T);
      } catch (error) {
        reject(new Error(`${options.what} printed no JSON result: ${last.slice(0, 200)}`, { cause: error }));
      }
    });
  });
}

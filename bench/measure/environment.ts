import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";

export interface Environment {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly platform: string;
  readonly node: string;
  readonly v8: string;
  readonly date: string;
  readonly commit: string;
  /** The bench measures the working tree: say so when src/ differs from the commit. */
  readonly srcDirty: boolean;
  /** SHA-256 (first 12 hex digits) of every file under src/, paths and contents: names the exact code measured. */
  readonly srcHash: string;
  /** 1-minute load average when the bench started: other work on a 2-core machine shows up as spread in the times. */
  readonly loadAverage: number;
}

export function describeEnvironment(): Environment {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    date: new Date().toISOString(),
    commit: git(["rev-parse", "--short", "HEAD"]) ?? "unknown",
    srcDirty: (git(["status", "--porcelain", "--", "src"]) ?? "").length > 0,
    srcHash: hashTree(fileURLToPath(new URL("../../src/", import.meta.url))),
    loadAverage: os.loadavg()[0] ?? 0,
  };
}

function git(args: readonly string[]): string | undefined {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    // Not a git checkout (e.g. an unpacked tarball): the report says "unknown" instead of failing the bench.
    return undefined;
  }
}

function hashTree(root: string): string {
  const hash = createHash("sha256");
  const files = readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `${entry.parentPath}/${entry.name}`.slice(root.length))
    .sort();
  for (const file of files) hash.update(file).update("\0").update(readFileSync(root + file)).update("\0");
  return hash.digest("hex").slice(0, 12);
}

import type { Profiler, Runtime } from "node:inspector";
import { findSourceMap } from "node:module";
import { fileURLToPath } from "node:url";

export interface Cost {
  readonly name: string;
  readonly selfMs: number;
  /** Share of the sampled time, 0…1. */
  readonly share: number;
}

export interface SelfTime {
  readonly totalMs: number;
  readonly byFunction: readonly Cost[];
  readonly byFile: readonly Cost[];
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Self time per function and per file. A sample's time is the gap to the next sample, as DevTools counts it. Positions
 * go back through the source maps tsx inlines (needs --enable-source-maps), so lines point at the TypeScript.
 */
export function selfTime(profile: Profiler.Profile): SelfTime {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let totalUs = 0;
  samples.forEach((id, index) => {
    const us = deltas[index + 1] ?? 0;
    const frame = nodes.get(id)?.callFrame;
    if (frame === undefined) return;
    totalUs += us;
    const { file, line } = locate(frame);
    const name = `${frame.functionName || "(anonymous)"}${file === "" ? "" : ` ${file}:${line}`}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const fileKey = file === "" ? frame.functionName : file;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
  });
  const rank = (costs: Map<string, number>): Cost[] =>
    [...costs].map(([name, us]) => ({ name, selfMs: us / 1000, share: totalUs === 0 ? 0 : us / totalUs })).sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs: totalUs / 1000, byFunction: rank(byFunction), byFile: rank(byFile) };
}

function locate(frame: Runtime.CallFrame): { file: string; line: number } {
  if (frame.url === "") return { file: "", line: 0 };
  const entry = findSourceMap(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber);
  const source = entry !== undefined && "originalSource" in entry ? entry.originalSource : frame.url;
  const line = entry !== undefined && "originalLine" in entry ? entry.originalLine : frame.lineNumber;
  return { file: shorten(source), line: line + 1 };
}

function shorten(url: string): string {
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}

/**
 * Total (inclusive) time per function: each sample counts once for every distinct function on its stack. `selfMs`
 * holds the total here; `share` is of the sampled time.
 */
export function totalTime(profile: Profiler.Profile): readonly Cost[] {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const names = new Map<number, string>();
  const nameOf = (id: number): string => {
    const known = names.get(id);
    if (known !== undefined) return known;
    const frame = nodes.get(id)?.callFrame;
    const { file, line } = frame === undefined ? { file: "", line: 0 } : locate(frame);
    const name = `${frame?.functionName || "(anonymous)"}${file === "" ? "" : ` ${file}:${line}`}`;
    names.set(id, name);
    return name;
  };
  const totals = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let totalUs = 0;
  samples.forEach((id, index) => {
    const us = deltas[index + 1] ?? 0;
    totalUs += us;
    const seen = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parents.get(node)) seen.add(nameOf(node));
    for (const name of seen) totals.set(name, (totals.get(name) ?? 0) + us);
  });
  return [...totals].map(([name, us]) => ({ name, selfMs: us / 1000, share: totalUs === 0 ? 0 : us / totalUs })).sort((a, b) => b.selfMs - a.selfMs);
}

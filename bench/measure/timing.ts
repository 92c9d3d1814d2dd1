import { setImmediate as nextImmediate } from "node:timers/promises";

/** Median, min and max of the measured runs, and the runs themselves so the spread can be judged. */
export interface Stat {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: readonly number[];
}

export function statOf(runs: readonly number[]): Stat {
  if (runs.length === 0) throw new Error("statOf needs at least one run");
  const sorted = [...runs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, runs };
}

/**
 * Resolve on the next turn of the event loop (check phase), after due timers have run: between two frames of arrivals
 * the queue's debounce and drain get their turn, as they would between two network reads, with no delay added.
 */
export function nextMacrotask(): Promise<void> {
  return nextImmediate();
}

export const now = (): number => performance.now();

/** A wall clock and a CPU clock started together. */
export function startClocks(): () => { ms: number; cpuMs: number } {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { ms: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 };
  };
}

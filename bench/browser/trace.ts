import { RUN_MARKS } from "./protocol";

/** What Chromium's own trace says of the page's main thread during one run. */
export interface TracedTasks {
  /** Tasks (`RunTask`) of the renderer's main thread that overlapped the run. */
  readonly tasks: number;
  /** The longest of them, wall time, ms. */
  readonly longestMs: number;
  /** Thread CPU time of that longest task, ms: well below its wall time, the renderer waited for a core. */
  readonly longestCpuMs: number;
  /** The longest thread CPU time of any of them, ms: the longest block the page's own work made. */
  readonly maxCpuMs: number;
}

/** Trace categories: top-level tasks (with their thread CPU time), thread names and user-timing marks. */
export const TRACE_CATEGORIES: readonly string[] = ["toplevel", "disabled-by-default-devtools.timeline", "blink.user_timing", "__metadata"];

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly args?: { readonly name?: string };
}

/**
 * The main thread's tasks between the run's two marks, from a trace taken with `TRACE_CATEGORIES` (the JSON
 * `browser.stopTracing()` returns). Durations in a trace are µs; `tdur` is the thread's CPU time.
 */
export function tasksOfRun(trace: Buffer): TracedTasks {
  const events = (JSON.parse(trace.toString("utf8")) as { traceEvents: TraceEvent[] }).traceEvents;
  const start = events.find((event) => event.name === RUN_MARKS.start);
  const end = events.find((event) => event.name === RUN_MARKS.end);
  if (start === undefined || end === undefined) throw new Error("the trace holds no run marks: was the run traced?");
  // The marks are made on the page's main thread: its tasks are the ones to read.
  const onMain = (event: TraceEvent): boolean => event.pid === start.pid && event.tid === start.tid;
  const tasks = events.filter((event) => event.name === "RunTask" && event.ph === "X" && onMain(event) && event.ts < end.ts && event.ts + (event.dur ?? 0) > start.ts);
  let longest: TraceEvent | undefined;
  let maxCpu = 0;
  for (const task of tasks) {
    if (longest === undefined || (task.dur ?? 0) > (longest.dur ?? 0)) longest = task;
    maxCpu = Math.max(maxCpu, task.tdur ?? 0);
  }
  return { tasks: tasks.length, longestMs: (longest?.dur ?? 0) / 1000, longestCpuMs: (longest?.tdur ?? 0) / 1000, maxCpuMs: maxCpu / 1000 };
}

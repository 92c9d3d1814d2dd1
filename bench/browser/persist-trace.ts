import type { CDPSession } from "playwright";
import { PERSIST_MARKS, PERSIST_WINDOWS, type PersistMark, type PersistWindow } from "./persist-protocol";

/**
 * Trace categories: top-level tasks (with their thread CPU time), user-timing marks, thread names, and V8's collections
 * (each phase of each GC as its own event: a few dozen per collection), so a task's time can be told from the
 * collection pauses inside it.
 */
export const PERSIST_TRACE_CATEGORIES: readonly string[] = ["toplevel", "blink.user_timing", "__metadata", "disabled-by-default-v8.gc"];

/**
 * The trace buffer, KiB. Chromium records until it is full, then stops: the trace covers the start of a boot, and a
 * boot of minutes only its first part (each window says how much of it was covered). About 25,000 events a second
 * come in across the browser's threads, so this holds about a minute: at 100,000 entities the replay to `streaming`
 * and the first part of the cache writes. A buffer 4× this one took about three minutes to read back.
 */
export const PERSIST_TRACE_BUFFER_KB = 65_536;

/** What Chromium's trace says of the page's main thread over one window of a boot. */
export interface WindowTasks {
  /** Tasks of the renderer's main thread that overlapped the traced part of the window. */
  readonly tasks: number;
  /** The longest of them, wall time, ms. */
  readonly longestMs: number;
  /** Thread CPU time of that longest task, ms: well below its wall time, the renderer waited for a core. */
  readonly longestCpuMs: number;
  /** The longest thread CPU time of any of them, ms. */
  readonly maxCpuMs: number;
  /** The 99th percentile of their wall times, ms. */
  readonly p99Ms: number;
  /** Tasks of 8 ms or more (wall). */
  readonly over8Ms: number;
  /** The share of the window the trace covered (1: all of it; less when the buffer filled before the window ended). */
  readonly coverage: number;
  /** The longest tasks (at most 3, of 8 ms or more), with what posted them (the trace's `src_file`/`src_func`) and V8's collection pauses inside them (ms). */
  readonly longest: readonly { readonly ms: number; readonly cpuMs: number; readonly gcMs: number; readonly source: string }[];
  /** The longest task less V8's collection pauses inside it (wall, ms): the page's and the SDK's own work. */
  readonly longestLessGcMs: number;
  /** The longest single collection pause of the thread in the window (ms), and all of them together. */
  readonly longestGcMs: number;
  readonly gcMs: number;
  /** Collection pauses of 1 ms or more in the window, and those of 8 ms or more. */
  readonly gcPauses: number;
  readonly gcPausesOver8Ms: number;
}

/** What is kept of a trace: the page's main thread (from the boot's start mark), its tasks, and where the trace ends. */
export interface PersistTrace {
  /** The start mark: its trace time (µs) and the page's `performance.now()` (ms) when it was made. */
  readonly start: { readonly ts: number; readonly pageMs: number; readonly pid: number; readonly tid: number } | undefined;
  /** Per thread (`pid:tid`), its tasks flat: start (µs), wall time (µs), thread CPU time (µs), start, … */
  readonly tasks: ReadonlyMap<string, readonly number[]>;
  /** What posted each task of 8 ms or more, by `pid:tid:ts`. */
  readonly sources: ReadonlyMap<string, string>;
  /** Per thread, V8's collection pauses flat (start µs, wall µs, …): the outermost `V8.GC_*` phase events, in time order. */
  readonly gcs: ReadonlyMap<string, readonly number[]>;
  /** The last event's time, µs: nothing after it was recorded. */
  readonly endTs: number;
  /** Trace events read, and whether Chromium reported lost data (the buffer filled). */
  readonly events: number;
  readonly dataLoss: boolean;
  /** Lines that looked like a task or the start mark but did not parse (skipped). */
  readonly unreadable: number;
}

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly args?: { readonly data?: { readonly startTime?: number }; readonly src_file?: string; readonly src_func?: string };
}

/** A task of a thread's sequence manager (`RunTask` under the devtools timeline category, which this trace leaves out). */
const TASK_NAME = "ThreadControllerImpl::RunTask";
/** Tasks this long (µs) keep what posted them. */
const LONG_US = 8_000;

/**
 * Trace the browser (through the page's DevTools session, as `browser.startTracing` does through the browser's, which a
 * persistent context does not offer) until the returned stop is called. The trace is read back as a stream, one event
 * per line, and only the tasks and the start mark are parsed.
 */
export async function startPageTrace(session: CDPSession, bufferKb = PERSIST_TRACE_BUFFER_KB): Promise<() => Promise<PersistTrace>> {
  await session.send("Tracing.start", {
    traceConfig: { includedCategories: [...PERSIST_TRACE_CATEGORIES], recordMode: "recordUntilFull", traceBufferSizeInKb: bufferKb },
    transferMode: "ReturnAsStream",
    streamFormat: "json",
  });
  return async () => {
    const complete = new Promise<{ stream: string; dataLoss: boolean }>((resolve) =>
      session.once("Tracing.tracingComplete", (event) => resolve({ stream: event.stream ?? "", dataLoss: event.dataLossOccurred })),
    );
    await session.send("Tracing.end");
    const { stream, dataLoss } = await complete;
    const tasks = new Map<string, number[]>();
    const sources = new Map<string, string>();
    const gcPhases = new Map<string, number[]>();
    let start: PersistTrace["start"];
    let events = 0;
    let unreadable = 0;
    let endTs = 0;
    const line = (text: string): void => {
      // Most lines are other threads' events: only their time is read (where the trace ends), without parsing them.
      const at = text.indexOf('"ts":');
      if (at < 0) return;
      events += 1;
      const ts = Number.parseInt(text.slice(at + 5, at + 25), 10);
      if (ts > endTs) endTs = ts;
      const isTask = text.includes(`"${TASK_NAME}"`);
      if (text.includes('"name":"V8.GC_') && text.includes('"ph":"X"')) {
        const json = firstObject(text);
        const event = json === undefined ? undefined : parse(json);
        if (event === undefined || event.name.includes("BACKGROUND")) return;
        const thread = `${event.pid}:${event.tid}`;
        let list = gcPhases.get(thread);
        if (list === undefined) gcPhases.set(thread, (list = []));
        list.push(event.ts, event.dur ?? 0);
        return;
      }
      if (!isTask && !text.includes(`"${PERSIST_MARKS.start}"`)) return;
      const json = firstObject(text);
      const event = json === undefined ? undefined : parse(json);
      if (event === undefined) return;
      if (isTask) {
        if (event.ph !== "X") return;
        const thread = `${event.pid}:${event.tid}`;
        let list = tasks.get(thread);
        if (list === undefined) tasks.set(thread, (list = []));
        list.push(event.ts, event.dur ?? 0, event.tdur ?? 0);
        if ((event.dur ?? 0) >= LONG_US) sources.set(`${thread}:${event.ts}`, `${event.args?.src_file ?? "?"} ${event.args?.src_func ?? ""}`.trim());
        endTs = Math.max(endTs, event.ts + (event.dur ?? 0));
      } else {
        const pageMs = event.args?.data?.startTime;
        if (pageMs !== undefined) start = { ts: event.ts, pageMs, pid: event.pid, tid: event.tid };
      }
    };
    /** A line that is no event is counted, not fatal: a long boot's trace must not be lost to one odd line. */
    const parse = (json: string): TraceEvent | undefined => {
      try {
        return JSON.parse(json) as TraceEvent;
      } catch {
        unreadable += 1;
        return undefined;
      }
    };
    let rest = "";
    for (;;) {
      const read = await session.send("IO.read", { handle: stream, size: 8 << 20 });
      const text = rest + (read.base64Encoded === true ? Buffer.from(read.data, "base64").toString("utf8") : read.data);
      const lines = text.split("\n");
      rest = lines.pop() ?? "";
      for (const each of lines) line(each);
      if (read.eof) break;
    }
    line(rest);
    await session.send("IO.close", { handle: stream });
    return { start, tasks, sources, gcs: outermost(gcPhases), endTs, events, unreadable, dataLoss };
  };
}

/**
 * The event a line of Chromium's JSON trace holds: from its first `{` to the brace that closes it (a line may end in
 * `,` or, the last one, in `]` and the trace's metadata).
 */
function firstObject(text: string): string | undefined {
  const from = text.indexOf("{");
  if (from < 0) return undefined;
  let depth = 0;
  let quoted = false;
  for (let i = from; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i += 1;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "{") depth += 1;
    else if (c === "}" && (depth -= 1) === 0) return text.slice(from, i + 1);
  }
  return undefined;
}

/**
 * The main thread's tasks over each window of the boot, its bounds the page's own mark times (`performance.now()`,
 * ms) placed on the trace's clock by the start mark. A window the boot did not have is left out; undefined when the
 * trace holds no start mark.
 */
export function tasksPerWindow(trace: PersistTrace, marks: Partial<Record<PersistMark, number>>): Partial<Record<PersistWindow, WindowTasks>> | undefined {
  const start = trace.start;
  // No start mark: nothing to place the windows by (the report then shows the gap probe alone).
  if (start === undefined) return undefined;
  const toTs = (pageMs: number): number => start.ts + (pageMs - start.pageMs) * 1000;
  const thread = `${start.pid}:${start.tid}`;
  const flat = trace.tasks.get(thread) ?? [];
  const windows: Partial<Record<PersistWindow, WindowTasks>> = {};
  for (const [window, [from, to]] of Object.entries(PERSIST_WINDOWS) as [PersistWindow, readonly [PersistMark, PersistMark]][]) {
    const [begin, end] = [marks[from], marks[to]];
    if (begin === undefined || end === undefined) continue;
    windows[window] = tasksBetween(flat, trace.gcs.get(thread) ?? [], toTs(begin), toTs(end), trace.endTs, (ts) => trace.sources.get(`${thread}:${ts}`) ?? "?");
  }
  return windows;
}

/** Tasks (flat, as `PersistTrace.tasks`) overlapping [from, to] µs; durations in a trace are µs, `tdur` the thread's CPU time. */
function tasksBetween(flat: readonly number[], gcs: readonly number[], from: number, to: number, endTs: number, sourceOf: (ts: number) => string): WindowTasks {
  const walls: number[] = [];
  const long: { ms: number; cpuMs: number; gcMs: number; ts: number }[] = [];
  let longestMs = 0;
  let longestCpuMs = 0;
  let maxCpuMs = 0;
  let longestLessGcMs = 0;
  let longestGcMs = 0;
  let gcMs = 0;
  let gcPauses = 0;
  let gcPausesOver8Ms = 0;
  for (let i = 0; i < flat.length; i += 3) {
    const [ts, dur, tdur] = [flat[i] as number, flat[i + 1] as number, flat[i + 2] as number];
    if (!(ts < to && ts + dur > from)) continue;
    walls.push(dur / 1000);
    const inside = gcInside(gcs, ts, ts + dur);
    gcMs += inside.totalUs / 1000;
    longestGcMs = Math.max(longestGcMs, inside.longestUs / 1000);
    gcPauses += inside.pauses;
    gcPausesOver8Ms += inside.over8;
    longestLessGcMs = Math.max(longestLessGcMs, (dur - inside.totalUs) / 1000);
    if (dur >= LONG_US) long.push({ ms: dur / 1000, cpuMs: tdur / 1000, gcMs: inside.totalUs / 1000, ts });
    if (dur / 1000 > longestMs) [longestMs, longestCpuMs] = [dur / 1000, tdur / 1000];
    maxCpuMs = Math.max(maxCpuMs, tdur / 1000);
  }
  walls.sort((a, b) => a - b);
  return {
    tasks: walls.length,
    longestMs,
    longestCpuMs,
    maxCpuMs,
    p99Ms: walls[Math.min(walls.length - 1, Math.floor(0.99 * walls.length))] ?? 0,
    over8Ms: walls.filter((ms) => ms >= 8).length,
    coverage: to <= from ? 1 : Math.max(0, Math.min(1, (endTs - from) / (to - from))),
    longest: long
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 3)
      .map((task) => ({ ms: task.ms, cpuMs: task.cpuMs, gcMs: task.gcMs, source: sourceOf(task.ts) })),
    longestLessGcMs,
    longestGcMs,
    gcMs,
    gcPauses,
    gcPausesOver8Ms,
  };
}

/** Per thread, the phase events that no other phase event holds (a collection's phases nest): its pauses, in time order. */
function outermost(phases: ReadonlyMap<string, number[]>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [thread, flat] of phases) {
    const order = Array.from({ length: flat.length / 2 }, (_, i) => i).sort((a, b) => (flat[2 * a] as number) - (flat[2 * b] as number) || (flat[2 * b + 1] as number) - (flat[2 * a + 1] as number));
    const kept: number[] = [];
    let end = -Infinity;
    for (const i of order) {
      const [ts, dur] = [flat[2 * i] as number, flat[2 * i + 1] as number];
      if (ts + dur <= end) continue;
      kept.push(ts, dur);
      end = ts + dur;
    }
    out.set(thread, kept);
  }
  return out;
}

/** The collection pauses (flat, in time order) inside [from, to] µs: their total and the longest, µs. */
function gcInside(gcs: readonly number[], from: number, to: number): { totalUs: number; longestUs: number; pauses: number; over8: number } {
  let totalUs = 0;
  let longestUs = 0;
  let pauses = 0;
  let over8 = 0;
  for (let i = lowerBound(gcs, from); i < gcs.length && (gcs[i] as number) < to; i += 2) {
    const dur = Math.min(gcs[i + 1] as number, to - (gcs[i] as number));
    totalUs += dur;
    longestUs = Math.max(longestUs, dur);
    if (dur >= 1_000) pauses += 1;
    if (dur >= LONG_US) over8 += 1;
  }
  return { totalUs, longestUs, pauses, over8 };
}

/** The first pause (its index in the flat list) that starts at or after `ts`. */
function lowerBound(gcs: readonly number[], ts: number): number {
  let [lo, hi] = [0, gcs.length / 2];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((gcs[2 * mid] as number) < ts) lo = mid + 1;
    else hi = mid;
  }
  return 2 * lo;
}

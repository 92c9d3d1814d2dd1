import { constants, monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram, type PerformanceEntry } from "node:perf_hooks";
import { openMainThreadClock, type ThreadTimes } from "./thread-clock";

/** The timer period of both probes, ms: a block of B ms reads as a delay sample between B and B + this. */
export const PROBE_RESOLUTION_MS = 1;

/**
 * Idle time around the measured work, ms. Node's histogram records the time between two runs of its timer, and its
 * first run only starts the clock: a block right after `enable()` or right before `disable()` would go unseen. With a
 * few idle periods on each side, the first and last block of the work fall between two timer runs like any other.
 */
const SETTLE_MS = 3;

/** Gaps at least this long are kept with their time, so the report can say in which phase the longest ones fell. */
const GAP_KEPT_MS = 3;
const GAPS_KEPT = 2_000;

/** One stretch in which the probe's own 1 ms timer could not run: the main thread was busy (or the process descheduled). */
export interface Gap {
  /** ms since the probe started. */
  readonly at: number;
  readonly ms: number;
  /**
   * Time the main thread ran on a core during the gap, ms (Linux's schedstat); where that cannot be read, the shorter of
   * `ms` and the process CPU (every thread) used during it. Well below `ms`: the main thread waited for a core.
   */
  readonly busyMs: number;
  /** Time the main thread was ready but waited for a core during the gap, ms (undefined where schedstat is not readable). */
  readonly waitMs: number | undefined;
  /** The phase the gap began in (see `BlockProbe.phase`). */
  readonly phase: string;
  /** V8's collection pauses inside the gap, ms (summed): the part of the block that was the collector's. */
  readonly gcMs: number;
}

/** One pause of V8's collector on the main thread, as Node's `gc` performance entries report it. */
export interface GcPause {
  readonly at: number;
  readonly ms: number;
  readonly kind: "minor" | "major" | "incremental" | "weak callbacks" | "other";
}

export interface BlockReading {
  /** Longest event-loop delay sample (`monitorEventLoopDelay`, resolution 1 ms), ms: an upper bound on the longest block. */
  readonly maxMs: number;
  readonly p99Ms: number;
  readonly p50Ms: number;
  /** Delay samples taken: about one per millisecond the loop was free, one per block otherwise. */
  readonly samples: number;
  /** Wall time the probe ran, ms. */
  readonly spanMs: number;
  /** Process CPU (all threads) over the span, ms: wall ≫ CPU means the process waited for a core. */
  readonly cpuMs: number;
  /**
   * Longest stretch the main thread really worked without letting the loop in, ms: over the second probe's gaps, the
   * main thread's own time on a core (Linux's schedstat). Time it waited for a core — taken by other processes, or by
   * V8's own helper threads (concurrent marking and compilation: four in Node, on this machine's two cores) — is left
   * out. Where schedstat is not readable: the shorter of the gap and the process CPU (every thread), which errs long.
   */
  readonly busyMaxMs: number;
  /** Whether `busyMaxMs` and the gaps' `busyMs` are the main thread's own (schedstat) or the whole process's CPU. */
  readonly busySource: "main thread" | "process";
  /** Longest gap of the second probe per phase, ms, in the order the phases began. */
  readonly phases: readonly { readonly phase: string; readonly longestGapMs: number; readonly gaps: number }[];
  /** The longest gaps (at most 5), longest first. */
  readonly longest: readonly Gap[];
  /** The longest single collection pause in the window (Node's `gc` entries), and what kind it was. */
  readonly gcMax: GcPause | undefined;
  /** Collection pauses in the window, ms in all. */
  readonly gcTotalMs: number;
  /**
   * Longest block of the work's own code, ms: per gap, the main thread's time on a core (the gap itself where schedstat
   * is not readable) less the collection pauses inside it; the collector's pauses (which the work's allocations cause,
   * but which it cannot cut into slices) and waits for a core left out.
   */
  readonly ownMaxMs: number;
}

/**
 * Two probes of the main thread, started together. The headline is Node's own `monitorEventLoopDelay` at 1 ms: each
 * sample is the time between two runs of a 1 ms libuv timer, so its maximum bounds the longest task (plus up to one
 * period) and its p99 says how often long ones came. It cannot say *when*; so a second 1 ms timer (`setInterval`)
 * keeps every gap of 3 ms or more with its time and the phase the scenario had marked (`phase(name)`), which is how
 * the report tells, say, a snapshot page's block from reconciliation's. Both timers cost a few µs per millisecond.
 */
export class BlockProbe {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: PROBE_RESOLUTION_MS });
  private readonly gaps: Gap[] = [];
  private readonly perPhase = new Map<string, { longestGapMs: number; gaps: number }>();
  private current = "start";
  /** The phase current at the previous tick: the one the gap ending at the next tick began in. */
  private gapPhase = "start";
  private started = 0;
  private last = 0;
  private lastCpu = 0;
  private busyMax = 0;
  private cpu: NodeJS.CpuUsage | undefined;
  private interval: ReturnType<typeof setInterval> | undefined;
  private readonly pauses: PerformanceEntry[] = [];
  private observer: PerformanceObserver | undefined;
  private thread: ReturnType<typeof openMainThreadClock>;
  private lastThread: ThreadTimes | undefined;

  /** Start both probes and let them settle: call right before the work to measure. */
  async begin(phase = "start"): Promise<void> {
    this.start(phase);
    await sleep(SETTLE_MS);
  }

  /** Let the probes see the end of the last block, then stop them: call right after the work. */
  async end(): Promise<BlockReading> {
    await sleep(SETTLE_MS);
    return this.stop();
  }

  private start(phase: string): void {
    this.phase(phase);
    this.gapPhase = phase;
    this.started = performance.now();
    this.last = this.started;
    this.cpu = process.cpuUsage();
    this.lastCpu = cpuMs();
    this.thread ??= openMainThreadClock();
    this.lastThread = this.thread?.read();
    this.busyMax = 0;
    this.histogram.reset();
    this.histogram.enable();
    this.pauses.length = 0;
    this.observer = new PerformanceObserver((list) => this.pauses.push(...list.getEntries()));
    this.observer.observe({ entryTypes: ["gc"] });
    this.interval = setInterval(() => this.tick(), PROBE_RESOLUTION_MS);
  }

  /** Mark that the scenario entered a new phase: later gaps are attributed to it. */
  phase(name: string): void {
    this.current = name;
    if (!this.perPhase.has(name)) this.perPhase.set(name, { longestGapMs: 0, gaps: 0 });
  }

  private stop(): BlockReading {
    this.tick();
    clearInterval(this.interval);
    this.thread?.close();
    this.thread = undefined;
    this.histogram.disable();
    // Entries are delivered after the task that made them: take what is still queued.
    this.pauses.push(...(this.observer?.takeRecords() ?? []));
    this.observer?.disconnect();
    const pauses = this.pauses.map(gcPause).filter((pause) => pause.at + pause.ms >= this.started);
    const gaps = this.gaps.map((gap) => ({ ...gap, gcMs: overlapMs(pauses, this.started + gap.at, gap.ms) }));
    const used = process.cpuUsage(this.cpu);
    const ns = 1e6;
    const longest = [...gaps].sort((a, b) => b.ms - a.ms).slice(0, 5);
    const gcMax = pauses.reduce<GcPause | undefined>((max, pause) => (max === undefined || pause.ms > max.ms ? pause : max), undefined);
    return {
      maxMs: this.histogram.max / ns,
      p99Ms: this.histogram.percentile(99) / ns,
      p50Ms: this.histogram.percentile(50) / ns,
      samples: this.histogram.count,
      spanMs: performance.now() - this.started,
      busyMaxMs: this.busyMax,
      busySource: this.lastThread === undefined ? "process" : "main thread",
      cpuMs: (used.user + used.system) / 1000,
      phases: [...this.perPhase].map(([phase, figures]) => ({ phase, ...figures })),
      longest,
      gcMax: gcMax === undefined ? undefined : { ...gcMax, at: gcMax.at - this.started },
      gcTotalMs: pauses.reduce((sum, pause) => sum + pause.ms, 0),
      ownMaxMs: gaps.reduce((max, gap) => Math.max(max, (gap.waitMs === undefined ? gap.ms : gap.busyMs) - gap.gcMs), 0),
    };
  }

  private tick(): void {
    const now = performance.now();
    const gap = now - this.last;
    const cpuNow = cpuMs();
    const thread = this.lastThread === undefined ? undefined : this.thread?.read();
    const busy = Math.min(gap, thread === undefined ? cpuNow - this.lastCpu : thread.runMs - (this.lastThread as ThreadTimes).runMs);
    const waitMs = thread === undefined ? undefined : thread.waitMs - (this.lastThread as ThreadTimes).waitMs;
    this.lastCpu = cpuNow;
    if (thread !== undefined) this.lastThread = thread;
    if (busy > this.busyMax) this.busyMax = busy;
    // The gap began when the previous tick ran, so it belongs to the phase current then; `phase()` is called from
    // inside the work itself, so a gap that spans a phase change is charged to the phase that started it.
    const figures = this.perPhase.get(this.gapPhase) ?? { longestGapMs: 0, gaps: 0 };
    figures.gaps += 1;
    if (gap > figures.longestGapMs) figures.longestGapMs = gap;
    this.perPhase.set(this.gapPhase, figures);
    if (gap >= GAP_KEPT_MS && this.gaps.length < GAPS_KEPT) this.gaps.push({ at: this.last - this.started, ms: gap, busyMs: busy, waitMs, phase: this.gapPhase, gcMs: 0 });
    this.last = now;
    this.gapPhase = this.current;
  }
}

function gcPause(entry: PerformanceEntry): GcPause {
  const kind = ((entry as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind;
  const name =
    kind === constants.NODE_PERFORMANCE_GC_MINOR
      ? "minor"
      : kind === constants.NODE_PERFORMANCE_GC_MAJOR
        ? "major"
        : kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL
          ? "incremental"
          : kind === constants.NODE_PERFORMANCE_GC_WEAKCB
            ? "weak callbacks"
            : "other";
  return { at: entry.startTime, ms: entry.duration, kind: name };
}

/** The pauses' time inside [from, from + ms), ms. */
function overlapMs(pauses: readonly GcPause[], from: number, ms: number): number {
  let total = 0;
  for (const pause of pauses) total += Math.max(0, Math.min(from + ms, pause.at + pause.ms) - Math.max(from, pause.at));
  return total;
}

/** Process CPU (user + system, every thread) so far, ms: one getrusage call, about a microsecond. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

import { closeSync, openSync, readSync } from "node:fs";

/** The main thread's own scheduler figures so far, ms. */
export interface ThreadTimes {
  /** Time the thread ran on a core. */
  readonly runMs: number;
  /** Time the thread was ready to run but waited for a core (other threads of this process included). */
  readonly waitMs: number;
}

/**
 * The main thread's scheduler statistics, read from Linux's `/proc/<pid>/task/<pid>/schedstat` (nanoseconds on a
 * core, nanoseconds waiting in the run queue). Process CPU time counts every thread: V8 runs its concurrent marking,
 * sweeping and compilation on helper threads (four by default in Node), and on a 2-core machine those threads take
 * cores from the main thread while it has work to do. The main thread's own figures tell a block of its work from a
 * wait for a core. `undefined` where the file does not exist (not Linux, or schedstats off).
 */
export function openMainThreadClock(): { read(): ThreadTimes; close(): void } | undefined {
  let fd: number;
  try {
    fd = openSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, "r");
  } catch {
    return undefined;
  }
  const buffer = Buffer.alloc(96);
  const read = (): ThreadTimes => {
    // pread at 0 on the open file: a few µs, cheap enough for the probe's 1 ms tick.
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const [run = "0", wait = "0"] = buffer.toString("latin1", 0, length).split(" ");
    return { runMs: Number(run) / 1e6, waitMs: Number(wait) / 1e6 };
  };
  try {
    read();
  } catch {
    closeSync(fd);
    return undefined;
  }
  return { read, close: () => closeSync(fd) };
}

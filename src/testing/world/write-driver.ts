/** Options of `driveWrites`. */
export interface WriteDriverOptions {
  /** How many writes to make in all. */
  readonly count: number;
  /** Makes write number `index` (from 0), e.g. one `world.updateMembers(…)`. */
  readonly write: (index: number) => void;
  /** Target writes per second, spread evenly over time; `Infinity` writes as fast as the process allows. @default Infinity */
  readonly ratePerSecond?: number;
  /**
   * Longest run of writes before yielding to the event loop, so sockets flush and a client in the same process reads.
   * @default 4
   */
  readonly sliceMs?: number;
}

/** What a drive did. */
export interface WriteDriveReport {
  readonly written: number;
  readonly elapsedMs: number;
  /** `written` per second of `elapsedMs`. */
  readonly perSecond: number;
  /** How far the last write ran behind its schedule, ms (0 when the driver kept up, or with no target rate). */
  readonly behindMs: number;
}

export interface WriteDrive {
  /** Settles when every write is made or after `stop()`; rejects if a write throws. */
  readonly done: Promise<WriteDriveReport>;
  /** Stops after the current slice; idempotent. */
  stop(): void;
}

/**
 * Makes `count` writes to a world, as fast as possible or at `ratePerSecond`, in slices of at most `sliceMs` run as
 * one `world.batch`. For benchmarks and load tests: the fake Torii publishes each write to its subscribers as it
 * happens, so this is also the publish rate.
 */
export function driveWrites(world: { batch<T>(work: () => T): T }, options: WriteDriverOptions): WriteDrive {
  const rate = options.ratePerSecond ?? Number.POSITIVE_INFINITY;
  const sliceMs = options.sliceMs ?? 4;
  if (!(rate > 0)) throw new RangeError(`driveWrites: ratePerSecond must be positive, got ${rate}`);
  const startedAt = performance.now();
  let written = 0;
  let behindMs = 0;
  let stopped = false;
  let timeout: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let settle: (report: WriteDriveReport) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const done = new Promise<WriteDriveReport>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // Write number i is due at startedAt + i / rate seconds.
  const dueBy = (now: number): number => (rate === Number.POSITIVE_INFINITY ? options.count : Math.min(options.count, Math.floor(((now - startedAt) * rate) / 1000) + 1));
  const report = (): WriteDriveReport => {
    const elapsedMs = performance.now() - startedAt;
    return { written, elapsedMs, perSecond: elapsedMs > 0 ? (written * 1000) / elapsedMs : 0, behindMs };
  };

  const slice = (): void => {
    timeout = undefined;
    immediate = undefined;
    if (stopped) return;
    const sliceEnd = performance.now() + sliceMs;
    try {
      world.batch(() => {
        let now = performance.now();
        let due = dueBy(now);
        while (written < due) {
          options.write(written);
          written += 1;
          // Reading the clock costs about as much as a small write: check it every 32 writes.
          if ((written & 31) === 0) {
            now = performance.now();
            if (now >= sliceEnd) break;
            due = dueBy(now);
          }
        }
      });
    } catch (error) {
      stopped = true;
      fail(error);
      return;
    }
    const now = performance.now();
    if (rate !== Number.POSITIVE_INFINITY) behindMs = Math.max(0, now - startedAt - ((written - 1) * 1000) / rate);
    if (written >= options.count) {
      settle(report());
      return;
    }
    if (written < dueBy(now)) immediate = setImmediate(slice);
    else timeout = setTimeout(slice, Math.max(0, startedAt + (written * 1000) / rate - now));
  };

  immediate = setImmediate(slice);
  return {
    done,
    stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timeout);
      clearImmediate(immediate);
      settle(report());
    },
  };
}

/** Warm-up rounds let V8 optimise the hot paths and fill the global Symbol registry RECS keys entities by. */
export interface Rounds {
  readonly warmup: number;
  readonly measured: number;
}

// Five measured rounds: the machine is shared, and a median of five shrugs off two disturbed runs while the whole
// bench stays within ten minutes on two cores.
export const DEFAULT_ROUNDS: Rounds = { warmup: 1, measured: 5 };

/**
 * Run `round` warmup + measured times and keep the measured results. Each round runs every pipeline once, in turn, so
 * drift over the process's life (heap growth, JIT state) falls on all pipelines alike instead of on whichever ran last.
 */
export async function runRounds<T>(
  rounds: Rounds,
  round: (index: number) => Promise<T>,
  log: (line: string) => void,
  describe: (result: T) => string = () => "",
): Promise<{ all: T[]; measured: T[] }> {
  const all: T[] = [];
  for (let index = 0; index < rounds.warmup + rounds.measured; index += 1) {
    const result = await round(index);
    const said = describe(result);
    log(`  round ${index + 1}/${rounds.warmup + rounds.measured}${index < rounds.warmup ? " (warm-up)" : ""}${said === "" ? "" : `: ${said}`}`);
    all.push(result);
  }
  return { all, measured: all.slice(rounds.warmup) };
}

import { createRng as createKitRng } from "../../src/testing/world/rng";

/**
 * A seeded PRNG (mulberry32): the same seed yields the same workload on every machine, so two runs of the bench (and
 * the naive and our pipeline within one run) see exactly the same updates in exactly the same order.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, bound). */
  below(bound: number): number;
}

/** The testing kit's mulberry32 generator (same seeds, same sequences), with the one helper the workloads use. */
export function createRng(seed: number): Rng {
  const rng = createKitRng(seed);
  return { next: () => rng.next(), below: (bound) => rng.int(0, bound - 1) };
}

/** Fisher–Yates with the seeded generator, in place. */
export function shuffleInPlace<T>(items: T[], rng: Rng): void {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = rng.below(i + 1);
    const held = items[i] as T;
    items[i] = items[j] as T;
    items[j] = held;
  }
}

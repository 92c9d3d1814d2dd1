import { blitzActivity, type BlitzPopulation, type WorldActivity } from "../../../src/testing/index";

/** A little busier than the testing kit's default, on a map big enough to watch. */
export const DEMO_POPULATION: Partial<BlitzPopulation> = { structures: 16, armies: 40, mapSize: 16, players: 6, actionsPerBlock: [1, 1] };

/**
 * The Blitz activity, one write per block second. Torii sends only whole-second timestamps, so two writes to the same
 * component within one second tie, and every client (this SDK included) applies ties in arrival order: reordered,
 * they can leave a stale value until the next write or replay. The demo keeps every version distinct so the screen
 * shows one thing at a time: what ordering by version fixes. Blocks whose timestamp did not advance stay empty.
 */
export function oneWritePerSecond(inner: WorldActivity): WorldActivity {
  let lastActiveSecond: number | undefined;
  return {
    genesis: (world, rng) => {
      inner.genesis(world, rng);
      lastActiveSecond = world.head().timestamp;
    },
    block: (world, rng) => {
      const { timestamp } = world.head();
      if (timestamp === lastActiveSecond) return;
      lastActiveSecond = timestamp;
      inner.block(world, rng);
    },
  };
}

export function demoActivity(): WorldActivity {
  return oneWritePerSecond(blitzActivity(DEMO_POPULATION));
}

import type { WorldSimulator } from "../../../src/testing/index";

export interface WorldTicker {
  /** Blocks per tick: 1 normally, more for bursts (as when an indexer catches up). */
  blocksPerTick: number;
  /** No blocks while true: a quiet world. */
  paused: boolean;
  stop(): void;
}

/** Steps the simulated chain on an interval, like blocks arriving. */
export function startWorldTicker(world: WorldSimulator, tickMs: number): WorldTicker {
  const ticker: WorldTicker = {
    blocksPerTick: 1,
    paused: false,
    stop: () => clearInterval(timer),
  };
  const timer = setInterval(() => {
    if (!ticker.paused) world.step(ticker.blocksPerTick);
  }, tickMs);
  return ticker;
}

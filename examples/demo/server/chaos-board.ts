import type { FakeTorii } from "../../../src/testing/index";
import { DEMO_REPLAY_PAGE_LIMIT, type ChaosStatus, type ChaosSwitchId } from "../shared/protocol";
import type { WorldTicker } from "./world-ticker";

export interface ChaosBoardOptions {
  /** How long "Restart Torii" keeps the port closed. @default 5_000 */
  readonly restartDowntimeMs?: number;
  /** How long each page takes under "Slow replay". @default 1_500 */
  readonly slowPageMs?: number;
}

/** The chaos panel's switches, each applied to the fake Torii through its `chaos` controls (and the block ticker). */
export interface ChaosBoard {
  apply(id: ChaosSwitchId): ChaosStatus;
  status(): ChaosStatus;
  /** Resolves once a restart in progress is over (for a clean close). */
  settled(): Promise<void>;
}

const REORDER = { reorderWindow: 64, reorderFlushMs: 150, duplicateProbability: 0.3 } as const;
const CALM = { reorderWindow: 0, duplicateProbability: 0 } as const;
const REORDER_BLOCKS_PER_TICK = 30;

export function createChaosBoard(fake: FakeTorii, ticker: WorldTicker, options: ChaosBoardOptions = {}): ChaosBoard {
  const downtimeMs = options.restartDowntimeMs ?? 5_000;
  const slowPageMs = options.slowPageMs ?? 1_500;
  let stall: "stall-drop" | "stall-hold" | undefined;
  let reorder = false;
  let spent = false;
  let paused = false;
  let restarting: Promise<void> | undefined;

  const status = (): ChaosStatus => {
    const active: ChaosSwitchId[] = [];
    if (paused) active.push("pause");
    if (stall !== undefined) active.push(stall);
    if (reorder) active.push("reorder");
    if (spent) active.push("spend-budget");
    if (restarting !== undefined) active.push("restart");
    return { active, block: fake.world.head().block, subscribers: fake.stats().subscribers };
  };

  const apply = (id: ChaosSwitchId): ChaosStatus => {
    switch (id) {
      case "pause":
        paused = !paused;
        ticker.paused = paused;
        break;
      case "stall-drop":
      case "stall-hold":
        fake.chaos.stall({ mode: id === "stall-drop" ? "drop" : "hold" });
        stall = id;
        break;
      case "resume":
        fake.chaos.resume();
        stall = undefined;
        break;
      case "break":
        fake.chaos.breakConnections();
        break;
      case "restart":
        if (restarting === undefined) {
          // A restart also clears queued page faults (the fake's own rule).
          spent = false;
          restarting = fake
            .restart({ downtimeMs })
            .catch(() => undefined)
            .finally(() => {
              restarting = undefined;
            });
        }
        break;
      case "slow-pages":
        // One replay's worth of pages: the whole world at the page size the demo's SDK uses.
        fake.chaos.slowNextPages(Math.ceil((fake.world.counts().entities + 1) / DEMO_REPLAY_PAGE_LIMIT), slowPageMs);
        fake.chaos.breakConnections();
        break;
      case "fail-pages":
        fake.chaos.failNextPages(2, { message: "demo: injected page failure" });
        fake.chaos.breakConnections();
        break;
      case "reorder":
        reorder = !reorder;
        fake.chaos.set(reorder ? REORDER : CALM);
        ticker.blocksPerTick = reorder ? REORDER_BLOCKS_PER_TICK : 1;
        break;
      case "spend-budget":
        fake.chaos.failNextPages(1_000, { message: "demo: the indexer keeps failing" });
        fake.chaos.breakConnections();
        spent = true;
        break;
      case "heal":
        fake.chaos.reset();
        ticker.blocksPerTick = 1;
        stall = undefined;
        reorder = false;
        spent = false;
        break;
    }
    return status();
  };

  return { apply, status, settled: () => restarting ?? Promise.resolve() };
}

import { startFakeTorii, type FakeTorii } from "../../../src/testing/index";
import type { DemoConfig } from "../shared/protocol";
import { createChaosBoard, type ChaosBoard, type ChaosBoardOptions } from "./chaos-board";
import { createControlApi, type ControlApi } from "./control-api";
import { DEMO_POPULATION, demoActivity } from "./demo-world";
import { createTruthReader } from "./truth";
import { startWorldTicker } from "./world-ticker";

export interface DemoBackendOptions extends ChaosBoardOptions {
  /** Seeds the world and every chaos decision. @default 7 */
  readonly seed?: number;
  /** A block every this many ms. @default 400 */
  readonly tickMs?: number;
}

/** What the page talks to besides Torii: the fake Torii itself, its ticking world, and the control API. */
export interface DemoBackend {
  readonly fake: FakeTorii;
  readonly board: ChaosBoard;
  readonly config: DemoConfig;
  /** Handles `/api/*`; false for any other request. */
  readonly api: ControlApi;
  close(): Promise<void>;
}

export async function startDemoBackend(options: DemoBackendOptions = {}): Promise<DemoBackend> {
  const seed = options.seed ?? 7;
  const tickMs = options.tickMs ?? 400;
  const fake = await startFakeTorii({ seed, world: { seed, activity: demoActivity() } });
  const ticker = startWorldTicker(fake.world, tickMs);
  const board = createChaosBoard(fake, ticker, options);
  const config: DemoConfig = { toriiUrl: fake.url, worldAddress: fake.worldAddress, mapSize: DEMO_POPULATION.mapSize ?? 8, tickMs };
  let closing: Promise<void> | undefined;
  return {
    fake,
    board,
    config,
    api: createControlApi({ config, board, truth: createTruthReader(fake.world) }),
    close: () =>
      (closing ??= (async () => {
        ticker.stop();
        await fake.close();
      })()),
  };
}

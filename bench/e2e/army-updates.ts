// The workload of the end-to-end benchmarks: armies whose stamina changes, one member update per write. Each update
// carries its publish time (µs on the shared clock) in `stamina.updated_tick`, so the receiving client can measure
// publish → callback latency without a side channel.
import type { WorldSimulator } from "../../src/testing/index";

export const ARMY = "blitz-Army";
const FIRST_ID = 900_000;

/** µs since the epoch on a clock that main and worker threads share (performance.now alone is per thread). */
export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** Writes `count` whole armies (keys FIRST_ID…), in one batch. */
export function seedArmies(world: WorldSimulator, count: number): void {
  world.batch(() => {
    for (let i = 0; i < count; i += 1) {
      world.setModel({ keys: [FIRST_ID + i] }, ARMY, {
        owner: "0xb1172",
        coord: { x: i % 64, y: Math.floor(i / 64) % 64 },
        troops: { category: "Knight", tier: "T1", count: 1_000_000_000_000_000_000n },
        stamina: { amount: 100, updated_tick: 0 },
      });
    }
  });
}

/** Update number `index`: the stamina of army `index mod armies`, stamped with its publish time. */
export function armyUpdate(world: WorldSimulator, armies: number): (index: number) => void {
  const targets = Array.from({ length: armies }, (_, i) => ({ keys: [FIRST_ID + i] }));
  return (index) => {
    world.updateMembers(targets[index % armies] as { keys: number[] }, ARMY, { stamina: { amount: index % 120, updated_tick: nowMicros() } });
  };
}

/** The publish time an update carries, read from a callback's entity (undefined for the reconnect signal). */
export function publishedAt(entity: { readonly models: Readonly<Record<string, Readonly<Record<string, unknown>>>> }): number | undefined {
  const stamina = entity.models[ARMY]?.["stamina"] as { value?: { updated_tick?: { value?: string } } } | undefined;
  const tick = stamina?.value?.updated_tick?.value;
  return tick === undefined ? undefined : Number(tick);
}

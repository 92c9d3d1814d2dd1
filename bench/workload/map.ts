import { entityIds } from "./entities";
import { createRng, shuffleInPlace, type Rng } from "./rng";

/** The shape of one map run: N armies on a square grid, then batches of K changes. */
export interface MapWorkloadConfig {
  readonly seed: number;
  readonly entities: number;
  /** Mean armies per tile: the grid has ⌈√(entities ÷ this)⌉ tiles per side, and armies stack on tiles. */
  readonly armiesPerTile: number;
  /** Distinct owners (player addresses). */
  readonly players: number;
  /** RECS writes per batch, i.e. changes the projection sees between two flushes. */
  readonly changesPerBatch: number;
  /** Of each batch: owner changes (no move) and removals; the removed armies come back in the next batch at a new tile. */
  readonly ownerChanges: number;
  readonly removals: number;
  /** A move goes to another tile at most this many tiles away on each axis. */
  readonly maxStep: number;
}

export const MAP_DEFAULTS: Omit<MapWorkloadConfig, "entities"> = {
  seed: 0x3a9,
  armiesPerTile: 2,
  players: 1_000,
  changesPerBatch: 1_000,
  ownerChanges: 250,
  removals: 10,
  maxStep: 4,
};

/**
 * Eternum's coordinates sit around 2^31 (its map centre is 2147483646), so the grid straddles 2^31: every x crosses
 * the int32 sign boundary somewhere, as real coordinates do.
 */
export const MAP_CENTRE = 2 ** 31;

/** One army as RECS holds it. */
export interface ArmyValue {
  readonly owner: bigint;
  readonly x: number;
  readonly y: number;
  readonly troops: number;
}

/** One planned change, by entity index: a whole-value write, or a removal. */
export type MapChange = { readonly kind: "set"; readonly entity: number; readonly value: ArmyValue } | { readonly kind: "remove"; readonly entity: number };

/** What each batch holds, counted as planned. */
export interface BatchMix {
  moves: number;
  ownerChanges: number;
  removals: number;
  recreations: number;
}

/**
 * The truth: what RECS must hold after every planned change, kept in typed arrays so that 1M entities cost a few MB.
 * The correctness check compares the projection with a rescan of RECS, and the rescan with this.
 */
export interface MapTruth {
  readonly alive: Uint8Array;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly owner: Int32Array;
  readonly troops: Int32Array;
  readonly owners: readonly bigint[];
  aliveCount: number;
}

export interface MapWorkload {
  readonly config: MapWorkloadConfig;
  /** 64-digit padded hex ids, as the pipeline writes them (`getEntityIdFromKeys` spelling). */
  readonly ids: readonly string[];
  readonly side: number;
  readonly origin: number;
  readonly truth: MapTruth;
  /** The initial value of every entity (all alive), from the truth. */
  initialValue(entity: number): ArmyValue;
  /** Plan the next batch and advance the truth past it. */
  nextBatch(): { readonly changes: readonly MapChange[]; readonly mix: BatchMix };
}

export function createMapWorkload(config: MapWorkloadConfig): MapWorkload {
  const rng = createRng(config.seed ^ config.entities);
  const n = config.entities;
  const side = Math.ceil(Math.sqrt(n / config.armiesPerTile));
  const origin = MAP_CENTRE - Math.floor(side / 2);
  // Owners as contract addresses: felts well above 2^64, so a BigInt compare is not a one-word compare.
  const owners = Array.from({ length: config.players }, (_, index) => (BigInt(index + 1) * 0x9e3779b97f4a7c15f39cc0605cedc834n) % 2n ** 251n);
  const truth: MapTruth = {
    alive: new Uint8Array(n).fill(1),
    x: new Float64Array(n),
    y: new Float64Array(n),
    owner: new Int32Array(n),
    troops: new Int32Array(n),
    owners,
    aliveCount: n,
  };
  for (let entity = 0; entity < n; entity += 1) {
    truth.x[entity] = origin + rng.below(side);
    truth.y[entity] = origin + rng.below(side);
    truth.owner[entity] = rng.below(config.players);
    truth.troops[entity] = 100 + rng.below(10_000);
  }
  const valueOf = (entity: number): ArmyValue => ({
    owner: owners[truth.owner[entity] as number] as bigint,
    x: truth.x[entity] as number,
    y: truth.y[entity] as number,
    troops: truth.troops[entity] as number,
  });
  let removedLastBatch: number[] = [];

  return {
    config,
    ids: entityIds(n).padded,
    side,
    origin,
    truth,
    initialValue: valueOf,
    nextBatch() {
      const mix: BatchMix = { moves: 0, ownerChanges: 0, removals: 0, recreations: 0 };
      const kinds: Array<"move" | "owner" | "remove" | "recreate"> = [];
      const recreations = removedLastBatch.slice(0, config.changesPerBatch);
      for (let index = 0; index < recreations.length; index += 1) kinds.push("recreate");
      for (let index = 0; index < config.removals; index += 1) kinds.push("remove");
      for (let index = 0; index < config.ownerChanges; index += 1) kinds.push("owner");
      while (kinds.length < config.changesPerBatch) kinds.push("move");
      kinds.length = config.changesPerBatch;
      shuffleInPlace(kinds, rng);
      const removedNow: number[] = [];
      const changes: MapChange[] = kinds.map((kind) => {
        if (kind === "recreate") {
          const entity = recreations.pop() as number;
          truth.alive[entity] = 1;
          truth.aliveCount += 1;
          truth.x[entity] = origin + rng.below(side);
          truth.y[entity] = origin + rng.below(side);
          mix.recreations += 1;
          return { kind: "set", entity, value: valueOf(entity) };
        }
        const entity = pickAlive(rng, truth);
        if (kind === "remove") {
          truth.alive[entity] = 0;
          truth.aliveCount -= 1;
          removedNow.push(entity);
          mix.removals += 1;
          return { kind: "remove", entity };
        }
        if (kind === "owner") {
          truth.owner[entity] = ((truth.owner[entity] as number) + 1 + rng.below(config.players - 1)) % config.players;
          mix.ownerChanges += 1;
        } else {
          moveToAnotherTile(rng, truth, entity, origin, side, config.maxStep);
          mix.moves += 1;
        }
        return { kind: "set", entity, value: valueOf(entity) };
      });
      removedLastBatch = removedNow;
      return { changes, mix };
    },
  };
}

function pickAlive(rng: Rng, truth: MapTruth): number {
  for (;;) {
    const entity = rng.below(truth.alive.length);
    if (truth.alive[entity] === 1) return entity;
  }
}

function moveToAnotherTile(rng: Rng, truth: MapTruth, entity: number, origin: number, side: number, maxStep: number): void {
  const clamp = (value: number): number => Math.min(origin + side - 1, Math.max(origin, value));
  const x = truth.x[entity] as number;
  const y = truth.y[entity] as number;
  for (;;) {
    const nx = clamp(x + rng.below(2 * maxStep + 1) - maxStep);
    const ny = clamp(y + rng.below(2 * maxStep + 1) - maxStep);
    if (nx !== x || ny !== y) {
      truth.x[entity] = nx;
      truth.y[entity] = ny;
      return;
    }
  }
}

/**
 * A copy of an id in a string of its own. Torii's client decodes every message into new strings, so a change never
 * carries the very string RECS or the projection already holds, and each lookup pays for hashing and comparing it.
 */
export function freshId(id: string): string {
  return id.split("").join("");
}

import { padHex } from "../protocol/felt";
import type { StructValue } from "../schema/types";
import type { ActivityWorld, WorldActivity } from "./activity";
import type { Rng } from "./rng";
import type { MembersInput } from "./world-types";

export interface BlitzPopulation {
  /** Realms at genesis (each carries blitz-Structure and blitz-Production on one entity). @default 12 */
  readonly structures: number;
  /** Explorer armies at genesis. @default 24 */
  readonly armies: number;
  /** Tiles per side of the square map; every tile exists at genesis, unexplored. @default 8 */
  readonly mapSize: number;
  /** Distinct player addresses. @default 4 */
  readonly players: number;
  /** Writes per block, inclusive range. @default [1, 3] */
  readonly actionsPerBlock: readonly [number, number];
}

const DEFAULT_POPULATION: BlitzPopulation = { structures: 12, armies: 24, mapSize: 8, players: 4, actionsPerBlock: [1, 3] };

const ARMY = "blitz-Army";
const STRUCTURE = "blitz-Structure";
const PRODUCTION = "blitz-Production";
const TILE = "blitz-Tile";
const MOVE_EVENT = "blitz-ExplorerMoveEvent";
const BATTLE_EVENT = "blitz-BattleEvent";
const FIRST_EXPLORER_ID = 1001;
const TIERS = ["T1", "T2", "T3"] as const;
const TROOPS = ["Knight", "Paladin", "Crossbowman"] as const;
const BIOMES = ["Ocean", "Beach", "Grassland", "Forest", "Desert", "Snow"] as const;
// Offset hex grid: odd and even columns have different diagonal neighbours.
const EVEN_COL: readonly (readonly [number, number])[] = [[1, 0], [-1, 0], [0, 1], [0, -1], [1, -1], [-1, -1]];
const ODD_COL: readonly (readonly [number, number])[] = [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, 1]];
const PLAYER_BASE = 0x0b1172_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000n;

function player(index: number): string {
  return padHex(PLAYER_BASE + BigInt(index));
}

function armyMembers(rng: Rng, owner: string, x: number, y: number, tick: number): MembersInput {
  return {
    owner,
    coord: { x, y },
    troops: { category: rng.pick(TROOPS), tier: rng.pick(TIERS), count: BigInt(rng.int(1, 500)) * 10n ** 18n },
    stamina: { amount: rng.int(50, 120), updated_tick: tick },
  };
}

function idOf(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

/**
 * A small Blitz-like world: armies move on a hex map (member updates), get reinforced (full writes), die (model
 * delete) and respawn with old ids (recreation); realms level up and produce; tiles get explored and sometimes reset
 * (whole-entity delete). Every choice comes from the seeded Rng.
 */
export function blitzActivity(population: Partial<BlitzPopulation> = {}): WorldActivity {
  const p: BlitzPopulation = { ...DEFAULT_POPULATION, ...population };
  const dead: number[] = [];
  let nextExplorerId = FIRST_EXPLORER_ID + p.armies;
  const clamp = (v: number): number => Math.max(0, Math.min(p.mapSize - 1, v));

  const randomArmy = (world: ActivityWorld, rng: Rng): { id: string; values: StructValue } | undefined => {
    const ids = world.idsWith(ARMY);
    if (ids.length === 0) return undefined;
    const id = rng.pick(ids);
    const values = world.modelValues(id, ARMY);
    return values === undefined ? undefined : { id, values };
  };

  const actions: readonly [number, (world: ActivityWorld, rng: Rng) => void][] = [
    [5, function moveArmy(world, rng) {
      const army = randomArmy(world, rng);
      if (army === undefined) return;
      const coord = army.values["coord"] as StructValue;
      const x = idOf(coord["x"]);
      const [dx, dy] = rng.pick(x % 2 === 0 ? EVEN_COL : ODD_COL);
      const to = { x: clamp(x + dx), y: clamp(idOf(coord["y"]) + dy) };
      const stamina = army.values["stamina"] as StructValue;
      const amount = Math.max(0, Number(stamina["amount"]) - 10);
      const { block, timestamp } = world.head();
      world.updateMembers(army.id, ARMY, { coord: to, stamina: { amount, updated_tick: block } });
      const explorerId = idOf(army.values["explorer_id"]);
      world.emitEvent({ keys: [explorerId] }, MOVE_EVENT, { owner: army.values["owner"] as string, to, timestamp });
      if (world.modelValues({ keys: [to.x, to.y] }, TILE) !== undefined) world.updateMembers({ keys: [to.x, to.y] }, TILE, { occupier_id: explorerId });
    }],
    [2, function reinforceArmy(world, rng) {
      const army = randomArmy(world, rng);
      if (army === undefined) return;
      const coord = army.values["coord"] as StructValue;
      const members = armyMembers(rng, army.values["owner"] as string, idOf(coord["x"]), idOf(coord["y"]), world.head().block);
      world.setModel(army.id, ARMY, members);
    }],
    [1, function armyDies(world, rng) {
      const army = randomArmy(world, rng);
      if (army === undefined) return;
      const defender = idOf(army.values["explorer_id"]);
      const troops = army.values["troops"] as StructValue;
      world.deleteModel(army.id, ARMY);
      dead.push(defender);
      const attacker = randomArmy(world, rng);
      const attackerId = attacker === undefined ? 0 : idOf(attacker.values["explorer_id"]);
      world.emitEvent({ keys: [attackerId, defender] }, BATTLE_EVENT, { winner_id: attackerId, troops_lost: troops["count"] as string, timestamp: world.head().timestamp });
    }],
    [1, function spawnArmy(world, rng) {
      // Reusing a dead explorer id recreates an entity whose model was deleted before.
      const explorerId = dead.length > 0 && rng.chance(0.6) ? dead.splice(rng.int(0, dead.length - 1), 1)[0] ?? nextExplorerId++ : nextExplorerId++;
      const members = armyMembers(rng, player(rng.int(0, p.players - 1)), rng.int(0, p.mapSize - 1), rng.int(0, p.mapSize - 1), world.head().block);
      world.setModel({ keys: [explorerId] }, ARMY, members);
    }],
    [1, function structureChanges(world, rng) {
      const ids = world.idsWith(STRUCTURE);
      if (ids.length === 0) return;
      const id = rng.pick(ids);
      const values = world.modelValues(id, STRUCTURE);
      if (values === undefined) return;
      if (rng.chance(0.5)) world.updateMembers(id, STRUCTURE, { level: Math.min(10, idOf(values["level"]) + 1) });
      else world.updateMembers(id, STRUCTURE, { guards: { count: BigInt(rng.int(0, 100)) * 10n ** 18n, tier: rng.pick(TIERS) } });
    }],
    [3, function produce(world, rng) {
      const ids = world.idsWith(PRODUCTION);
      if (ids.length === 0) return;
      const id = rng.pick(ids);
      const values = world.modelValues(id, PRODUCTION);
      if (values === undefined) return;
      const now = world.head().timestamp;
      const elapsed = BigInt(Math.max(0, now - idOf(values["last_updated_at"])));
      const balance = BigInt(values["balance"] as string) + BigInt(values["production_rate"] as string) * elapsed;
      world.updateMembers(id, PRODUCTION, { balance, last_updated_at: now });
    }],
    [2, function exploreTile(world, rng) {
      const keys = [rng.int(0, p.mapSize - 1), rng.int(0, p.mapSize - 1)];
      const tile = world.modelValues({ keys }, TILE);
      const biome = tile?.["biome"] as { option: string } | undefined;
      const { timestamp } = world.head();
      if (tile === undefined || biome?.option === "None") {
        world.setModel({ keys }, TILE, { biome: rng.pick(BIOMES), occupier_id: 0, explored_at: timestamp, discovered_by: player(rng.int(0, p.players - 1)) });
      } else {
        world.updateMembers({ keys }, TILE, { occupier_id: rng.int(0, 1) === 0 ? 0 : nextExplorerId - 1 });
      }
    }],
    [0.3, function resetTile(world, rng) {
      const ids = world.idsWith(TILE);
      if (ids.length > 0) world.deleteEntity(rng.pick(ids));
    }],
  ];
  const weights = actions.map(([w]) => w);

  return {
    genesis(world, rng) {
      const { block, timestamp } = world.head();
      for (let i = 0; i < p.structures; i += 1) {
        const entityId = i + 1;
        const coord = { x: rng.int(0, p.mapSize - 1), y: rng.int(0, p.mapSize - 1) };
        world.setModel({ keys: [entityId] }, STRUCTURE, {
          owner: player(i % p.players),
          category: rng.int(1, 3),
          level: 1,
          coord,
          guards: { count: BigInt(rng.int(0, 50)) * 10n ** 18n, tier: "T1" },
        });
        world.setModel({ keys: [entityId] }, PRODUCTION, { balance: 0, production_rate: rng.int(1, 20), last_updated_at: timestamp });
      }
      for (let i = 0; i < p.armies; i += 1) {
        const members = armyMembers(rng, player(rng.int(0, p.players - 1)), rng.int(0, p.mapSize - 1), rng.int(0, p.mapSize - 1), block);
        world.setModel({ keys: [FIRST_EXPLORER_ID + i] }, ARMY, members);
      }
      for (let col = 0; col < p.mapSize; col += 1) {
        for (let row = 0; row < p.mapSize; row += 1) {
          world.setModel({ keys: [col, row] }, TILE, { biome: "None", occupier_id: 0, explored_at: 0, discovered_by: null });
        }
      }
    },
    block(world, rng) {
      const count = rng.int(p.actionsPerBlock[0], p.actionsPerBlock[1]);
      for (let i = 0; i < count; i += 1) {
        const action = actions[rng.weighted(weights)];
        action?.[1](world, rng);
      }
    },
  };
}

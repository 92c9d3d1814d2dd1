import { afterEach, describe, expect, it } from "vitest";
import { startFakeTorii } from "../../src/testing";
import type { FakeTorii } from "../../src/testing";

/*
 * What real Torii writes into the SQLite its /sql endpoint reads (dojoengine/torii, crates/sqlite/sqlite/src):
 * - entity ids: `format!("{:#x}", poseidon_hash_many(&keys))` — minimal hex, no leading zeros (storage.rs set_entity /
 *   set_event_message; Torii's own test asserts `id == format!("{:#x}", poseidon_hash_many(..))`);
 * - keys: `felts_to_sql_string` = each key `{:#x}` followed by "/" — minimal hex (utils.rs);
 * - executed_at / internal_executed_at: `utc_dt_string_from_timestamp(block_timestamp)` = `to_rfc3339()`,
 *   e.g. "2021-09-30T18:40:00+00:00" (utils.rs, with its unit test);
 * - event_id: `format!("{:#064x}:{:#x}:{:#x}:{:#04x}", block, tx_hash, contract, idx)` — tx hash and contract minimal.
 * A game's SQL written against the fake (it had padded ids and 'YYYY-MM-DD HH:MM:SS') matched nothing, or the wrong rows, on Torii.
 */
const ARMY = "blitz-Army";
const army = { keys: [8001] };
const members = { owner: "0x1", coord: { x: 0, y: 0 }, troops: { category: "Knight", tier: "T1", count: 1 }, stamina: { amount: 0, updated_tick: 0 } };
const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/;

async function sql(fake: FakeTorii, query: string): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${fake.url}/sql`, { method: "POST", body: query });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>[];
}

describe("the fake's /sql answers in Torii's own formats", () => {
  const fakes: FakeTorii[] = [];
  afterEach(async () => {
    for (const f of fakes.splice(0)) await f.close();
  });

  async function setup(): Promise<{ fake: FakeTorii; id: bigint }> {
    const fake = await startFakeTorii({ seed: 9, world: { seed: 9, activity: false } });
    fakes.push(fake);
    const receipt = fake.world.setModel(army, ARMY, members);
    return { fake, id: BigInt(receipt.entityId) };
  }

  it("should store entity ids and keys as Torii does: minimal hex ({:#x}), so a query by Torii's id finds the row", async () => {
    const { fake, id } = await setup();
    const [row] = await sql(fake, "SELECT id, keys FROM entities");
    expect(row).toEqual({ id: `0x${id.toString(16)}`, keys: `0x${(8001).toString(16)}/` });
    const [model] = await sql(fake, `SELECT internal_id, internal_entity_id FROM "${ARMY}"`);
    expect(model).toEqual({ internal_id: `0x${id.toString(16)}`, internal_entity_id: `0x${id.toString(16)}` });
  });

  it("should store executed_at and internal_executed_at as Torii does: RFC 3339 (to_rfc3339), not 'YYYY-MM-DD HH:MM:SS'", async () => {
    const { fake } = await setup();
    const [row] = await sql(fake, "SELECT executed_at FROM entities");
    expect(row?.["executed_at"]).toMatch(RFC3339_UTC);
    const [model] = await sql(fake, `SELECT internal_executed_at FROM "${ARMY}"`);
    expect(model?.["internal_executed_at"]).toMatch(RFC3339_UTC);
  });

  it("should format event_id as Torii's format_event_id: padded block, minimal tx hash and contract address", async () => {
    const { fake } = await setup();
    const [row] = await sql(fake, "SELECT event_id FROM entities");
    const [block, tx, contract, index] = String(row?.["event_id"]).split(":");
    expect(block).toMatch(/^0x[0-9a-f]{62}$/);
    expect(tx).toMatch(/^0x[1-9a-f][0-9a-f]*$/);
    expect(contract).toBe(`0x${BigInt(fake.worldAddress).toString(16)}`);
    expect(index).toMatch(/^0x[0-9a-f]{2}$/);
  });
});

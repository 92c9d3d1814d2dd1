import { describe, expect, it } from "vitest";
import { releaseAfterEach } from "../support/release-after-each";
import { Methods } from "../../src/testing/protocol/codecs";
import { encodeDataFrame } from "../../src/testing/protocol/grpc-web";
import { connectToriiClient, FakeToriiError, fetchAllPages, findWireProblems, startFakeTorii, waitFor, WorldSimulator } from "../../src/testing";
import type { FakeTorii, WasmEntity, WasmToriiClient } from "../../src/testing";

describe("fake Torii: event messages, indexer head, SQL and refusals", () => {
  const torii = releaseAfterEach();
  let fake: FakeTorii | undefined;
  let client: WasmToriiClient | undefined;

  it("should serve event messages on their own methods, apart from entities", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 41 }));
    client = torii.client(await connectToriiClient(fake));
    const events: WasmEntity[] = [];
    const entities: WasmEntity[] = [];
    torii.keep(await client.onEventMessageUpdated(undefined, [], (e: WasmEntity) => events.push(e)));
    torii.keep(await client.onEntityUpdated(undefined, [], (e: WasmEntity) => entities.push(e)));

    fake.world.emitEvent({ keys: [42, 43] }, "blitz-BattleEvent", { winner_id: 42, troops_lost: "1000", timestamp: 1_700_000_000 });
    fake.world.setModel({ keys: [6001] }, "blitz-Army", { owner: "0x1", coord: { x: 0, y: 0 }, troops: { category: "Knight", tier: "T1", count: 1 }, stamina: { amount: 1, updated_tick: 1 } });

    await waitFor(() => events.length === 1 && entities.length === 1);
    expect(Object.keys(events[0]?.models ?? {})).toEqual(["blitz-BattleEvent"]);
    expect(Object.keys(entities[0]?.models ?? {})).toEqual(["blitz-Army"]);
    expect(events[0]).toEqual(fake.world.eventMessages()[0]);

    fake.world.step(30);
    const walk = await fetchAllPages(client, { events: true, limit: 3 });
    expect(walk.items).toEqual(fake.world.eventMessages());
    expect(walk.items.length).toBe(fake.world.counts().eventMessages);
  });

  it("should tick the indexer head on every block and report it through getContracts", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 42 }));
    client = torii.client(await connectToriiClient(fake));
    const heads: { head?: number; last_block_timestamp?: number }[] = [];
    torii.keep(await client.onIndexerUpdated(fake.worldAddress, (contract: { head?: number; last_block_timestamp?: number }) => heads.push(contract)));

    fake.world.step(3, { quiet: true });

    await waitFor(() => heads.length === 3);
    expect(heads.map((h) => h.head)).toEqual([1001, 1002, 1003]);
    const contracts = await client.getContracts({ contract_addresses: [fake.worldAddress], contract_types: [] });
    expect(contracts).toEqual([expect.objectContaining({ contract_type: "WORLD", head: 1003, last_block_timestamp: fake.world.head().timestamp })]);
  });

  it("should answer POST /sql with real rows and refuse writes", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 43 }));
    fake.world.step(10);
    const sql = async (query: string): Promise<Response> => fetch(`${fake?.url}/sql`, { method: "POST", body: query });

    const newest = (await (await sql("SELECT id, updated_at, event_id FROM entities ORDER BY updated_at DESC LIMIT 1")).json()) as Record<string, string>[];
    expect(newest).toHaveLength(1);
    // As Torii's SQLite holds them: ids as Rust's {:#x}, updated_at as CURRENT_TIMESTAMP, event_id as format_event_id.
    expect(newest[0]?.["id"]).toMatch(/^0x(0|[1-9a-f][0-9a-f]*)$/);
    expect(newest[0]?.["updated_at"]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(newest[0]?.["event_id"]).toMatch(/^0x[0-9a-f]{62}:0x[1-9a-f][0-9a-f]*:0x[1-9a-f][0-9a-f]*:0x[0-9a-f]{2,}$/);

    const counted = (await (await sql("SELECT COUNT(*) AS n FROM entities")).json()) as { n: number }[];
    expect(counted).toEqual([{ n: fake.world.counts().entities }]);
    const armies = (await (await sql('SELECT "coord.x", "troops.category" FROM "blitz-Army" ORDER BY internal_id')).json()) as Record<string, unknown>[];
    expect(armies).toHaveLength(fake.world.counts().models["blitz-Army"] ?? -1);

    const refused = await sql("DELETE FROM entities");
    expect(refused.status).toBe(400);
    expect(fake.world.counts().entities).toBe(counted[0]?.n);
    expect(fake.stats().requests["/sql"]).toBe(4);
  });

  it("should answer gRPC ExecuteSql with typed values", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 44 }));
    const body = encodeDataFrame(Methods.ExecuteSql.input.toBinary({ query: "SELECT COUNT(*) AS n, MAX(id) AS top FROM entities" }));
    const response = await fetch(`${fake.url}/world.World/ExecuteSql`, { method: "POST", headers: { "content-type": "application/grpc-web+proto" }, body: new Uint8Array(body) });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const length = new DataView(bytes.buffer).getUint32(1);
    const decoded = Methods.ExecuteSql.output.fromBinary(bytes.subarray(5, 5 + length));

    expect(decoded.rows[0]?.fields["n"]?.value_type).toEqual({ oneofKind: "integer", integer: BigInt(fake.world.counts().entities) });
    expect(decoded.rows[0]?.fields["top"]?.value_type.oneofKind).toBe("text");
    expect(Buffer.from(bytes.subarray(5 + length)).toString("latin1")).toContain("grpc-status:0");
  });

  it("should answer CORS preflights and unknown methods harmlessly", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 46 }));
    const preflight = await fetch(`${fake.url}/world.World/RetrieveEntities`, { method: "OPTIONS" });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");

    const unknown = await fetch(`${fake.url}/world.World/RetrieveTokens`, { method: "POST", headers: { "content-type": "application/grpc-web+proto" }, body: new Uint8Array(5) });
    expect(unknown.headers.get("grpc-status")).toBe("12");
    expect((await fetch(`${fake.url}/nope`)).status).toBe(404);
  });

  it("should refuse malformed entities before they reach the wire, and keep the client alive", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 45 }));
    client = torii.client(await connectToriiClient(fake));
    const got: WasmEntity[] = [];
    torii.keep(await client.onEntityUpdated(undefined, [], (e: WasmEntity) => got.push(e)));
    const army = { keys: [7001] };
    const valid = { owner: "0x1", coord: { x: 0, y: 0 }, troops: { category: "Knight", tier: "T1", count: 1 }, stamina: { amount: 1, updated_tick: 1 } };

    const refusals = [
      () => fake?.world.setModel(army, "blitz-Army", { ...valid, coord: { x: 2 ** 32, y: 0 } }),
      () => fake?.world.setModel(army, "blitz-Army", { ...valid, troops: { category: "Dragon", tier: "T1", count: 1 } }),
      () => fake?.world.setModel(army, "blitz-Army", { ...valid, owner: `0x${"f".repeat(64)}` }),
      () => fake?.world.setModel(army, "blitz-Army", { ...valid, speed: 3 }),
      () => fake?.world.setModel(army, "blitz-Army", { owner: "0x1" }),
      () => fake?.world.setModel(army, "blitz-Nope", valid),
      () => fake?.world.updateMembers({ keys: [7999] }, "blitz-Army", { stamina: { amount: 1, updated_tick: 1 } }),
    ];
    for (const refuse of refusals) expect(refuse).toThrow(FakeToriiError);
    expect(() => new WorldSimulator({ models: [{ namespace: "x", name: "M", members: [{ name: "id", type: { kind: "primitive", name: "u32" }, key: true }, { name: "broken" } as never] }] })).toThrow(/member without a type/);
    expect(
      findWireProblems({
        hashed_keys: new Uint8Array(32),
        world_address: new Uint8Array(32),
        created_at: 0n,
        updated_at: 0n,
        executed_at: 0n,
        models: [{ name: "blitz-Army", children: [{ name: "owner", key: false }] }],
      }),
    ).toEqual(["blitz-Army.owner: missing type (ty/ty_type)"]);
    expect(fake.world.entity(army)).toBeUndefined();

    fake.world.setModel(army, "blitz-Army", valid);
    await waitFor(() => got.length === 1);
    expect(got[0]?.hashed_keys).toBe(fake.world.entity(army)?.hashed_keys);
  });
});

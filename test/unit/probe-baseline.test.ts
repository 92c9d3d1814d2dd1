// After a replay, the SQL probe's baseline (server count − client count) is taken only at one consistent moment: the
// client's count unchanged while the server's was read, and nothing newer on the server than what the client received.
// Read a round trip apart, a component created in between (and delivered by the stream a moment later) shifted the
// baseline by one for good, and every silence probe of a quiet, healthy world then replayed. Otherwise the next
// consistent probe or audit measures it.
import { describe, expect, it, vi } from "vitest";
import { memoryPipelines } from "../support/memory-pipeline";
import { rawEntity, ty, type RawEntity } from "../support/ty";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const rig = memoryPipelines();

/**
 * Boot with an SQL endpoint over the client's rows whose second watermark read (the baseline, right after the boot
 * replay) races a creation: while it is on its way, the game creates an army, the server commits it (the query counts
 * it) and the stream delivers it 10 ms later; the answer comes at 50 ms. Then 5 quiet minutes.
 */
async function bootWhileCreating() {
  rig.client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 100, { "test-Army": army(2) })];
  let watermarkReads = 0;
  const fetch = (async (_url: string, init?: { body?: unknown }) => {
    const sql = String(init?.body);
    if (!sql.includes("AS newest")) return new Response("[]");
    watermarkReads += 1;
    if (watermarkReads === 2) {
      const created = rawEntity(3, 200, { "test-Army": army(3) });
      rig.client.rows.push(created);
      setTimeout(() => rig.client.emit(created), 10);
      const answer = JSON.stringify([{ newest: 200, n: rig.client.rows.length }]);
      return new Promise<Response>((resolve) => setTimeout(() => resolve(new Response(answer)), 50));
    }
    const rows = rig.client.rows as RawEntity[];
    return new Response(JSON.stringify([{ newest: Math.max(...rows.map((row) => row.executed_at)), n: rows.length }]));
  }) as typeof globalThis.fetch;
  const p = rig.start({ toriiUrl: "http://127.0.0.1:1", fetch });
  await vi.advanceTimersByTimeAsync(1_000);
  expect(p.getState().status).toBe("streaming");
  expect(rig.components.Army.values.x.size).toBe(3);
  // Nothing happens any more: the client holds exactly what Torii holds.
  await vi.advanceTimersByTimeAsync(5 * 60_000);
  expect(rig.components.Army.values.x.size).toBe(3);
  return p;
}

describe("the probe's baseline measured after a replay", () => {
  it("should not replay a quiet, consistent world because a component was created while the baseline was read", async () => {
    const p = await bootWhileCreating();
    expect({ replays: p.metrics().replays, evidence: p.metrics().evidence }).toEqual({ replays: 1, evidence: {} });
  });

  it("should still see a removal the stream never told, with the baseline measured by a later quiet probe", async () => {
    const p = await bootWhileCreating();
    expect(p.metrics().replays).toBe(1);
    // Army 2 dies on chain while the stream carries nothing (a removal raises no timestamp): only the count shows it.
    rig.client.rows = rig.client.rows.filter((row) => (row as RawEntity).hashed_keys !== rawEntity(2, 100, {}).hashed_keys);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(p.metrics().replays).toBe(2);
    expect(rig.components.Army.values.x.size).toBe(2);
  });
});

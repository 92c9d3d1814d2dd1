// metrics().compacted = store.compacted + streams.compacted: never an update counted twice when the replay's buffer is
// moved into the main store (moveInto → target.slotFor counts a merge there too).
// Invariant checked: every update that entered a pending store either left it as its own slot (applied/admitted) or
// was compacted into another one, so compacted == arrivals − slots drained; counted twice it would exceed that.
import { describe, expect, it, vi } from "vitest";
import { memoryPipelines } from "../support/memory-pipeline";
import { rawEntity, ty } from "../support/ty";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const rig = memoryPipelines();

describe("compacted across the buffer → store move", () => {
  it("counts each merge once: 1 snapshot row + 5 buffered stream updates of one entity end as one write", async () => {
    rig.client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    rig.client.beforePage = (index) => {
      if (index !== 0) return;
      for (let x = 2; x <= 6; x += 1) rig.client.emit(rawEntity(1, 100 + x, { "test-Army": army(x) }));
    };
    const p = rig.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(p.getState().status).toBe("streaming");
    const m = p.metrics();
    // 6 arrivals for one entity × model. At most 5 merges are possible (6 arrivals, ≥ 1 slot leaves).
    expect(m.compacted).toBeLessThanOrEqual(5);
    expect(m.compacted).toBeGreaterThanOrEqual(4);
    // Then live: 3 more updates while nothing drains in between would compact at most 2 more.
    const before = m.compacted;
    for (let x = 7; x <= 9; x += 1) rig.client.emit(rawEntity(1, 200 + x, { "test-Army": army(x) }));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(p.metrics().compacted - before).toBeLessThanOrEqual(2);
    expect(p.metrics().compacted).toBeGreaterThanOrEqual(before);
  });
});

import { createWorld, defineComponent, Type as RecsType } from "@dojoengine/recs";
import { createDropRecorder } from "../../src/core/drops";
import { normalizeEntityId } from "../../src/core/entity-id";
import { PendingStore } from "../../src/core/pending-store";
import { packVersion } from "../../src/core/version";
import { bindComponents } from "../../src/core/writer/bindings";

describe("PendingStore.moveInto with the entity still pending in the target", () => {
  it("buffer merges + the one merge in the target = arrivals − 1 (no update counted twice)", () => {
    const world = createWorld();
    const layout = [...bindComponents([defineComponent(world, { x: RecsType.Number }, { metadata: { namespace: "ns", name: "A" } })]).values()];
    const mk = () => new PendingStore(layout, { highWaterMark: 1000, drops: createDropRecorder() });
    const main = mk();
    const buffer = mk();
    const id = normalizeEntityId("0x1");
    const write = (s: PendingStore, at: number) => s.mergeWrite(s.slotFor("entities", id, at), 0, { x: ty.u32(at) }, packVersion(at), packVersion(at));
    write(main, 100); // the snapshot row, still pending
    for (let at = 101; at <= 105; at += 1) write(buffer, at); // 5 stream updates: 4 merges
    buffer.moveInto(main);
    expect(buffer.compacted + main.compacted).toBe(5);
    expect(main.size).toBe(1);
  });
});

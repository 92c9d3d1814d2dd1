import { describe, expect, it, vi } from "vitest";
import type { AdmittedChange } from "../../src/core/ports";
import { memoryPipelines } from "../support/memory-pipeline";
import { paddedId, rawEntity, ty } from "../support/ty";

// What a persisted cache and follower tabs are fed: exactly the changes that landed, in Torii's terms.

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

const rig = memoryPipelines();

describe("subscribeAdmitted", () => {
  it("should report each landed write with its members and block times, and nothing for a stale update", async () => {
    rig.client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const p = rig.start();
    const changes: AdmittedChange[] = [];
    p.subscribeAdmitted((change) => changes.push(change));
    await vi.advanceTimersByTimeAsync(200);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ kind: "write", scope: "entities", entityId: paddedId(1), model: "test-Army", ats: [100, 100, 100, 100, 100] });
    const write = changes[0] as Extract<AdmittedChange, { kind: "write" }>;
    expect(write.members).toEqual(["army_id", "owner", "x", "y", "troops"]);
    expect(write.values[2]).toEqual(ty.u32(1));

    rig.client.emit(rawEntity(1, 99, { "test-Army": { x: ty.u32(7) } }));
    rig.client.emit(rawEntity(1, 101, { "test-Army": { x: ty.u32(5) } }));
    await vi.advanceTimersByTimeAsync(200);
    expect(changes.slice(1)).toEqual([{ kind: "write", scope: "entities", entityId: paddedId(1), model: "test-Army", members: ["x"], values: [ty.u32(5)], ats: [101] }]);
  });

  it("should report a model's removal, and stop reporting once unsubscribed", async () => {
    rig.client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const p = rig.start();
    const changes: AdmittedChange[] = [];
    const unsubscribe = p.subscribeAdmitted((change) => changes.push(change));
    await vi.advanceTimersByTimeAsync(200);
    rig.client.emit(rawEntity(1, 102, { "test-Army": {} }));
    await vi.advanceTimersByTimeAsync(200);
    expect(changes.at(-1)).toEqual({ kind: "delete_model", scope: "entities", entityId: paddedId(1), model: "test-Army", at: 102 });
    unsubscribe();
    const seen = changes.length;
    rig.client.emit(rawEntity(2, 103, { "test-Army": army(2) }));
    await vi.advanceTimersByTimeAsync(200);
    expect(changes).toHaveLength(seen);
  });

  it("should neither write nor report a tie that equals what RECS holds, and write a tie that differs (arrival order wins)", async () => {
    rig.client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const p = rig.start();
    const changes: AdmittedChange[] = [];
    p.subscribeAdmitted((change) => changes.push(change));
    await vi.advanceTimersByTimeAsync(200);
    const updates: unknown[] = [];
    rig.components.Army.update$.subscribe((update) => updates.push(update.value[0]));

    rig.client.emit(rawEntity(1, 100, { "test-Army": army(1) }));
    await vi.advanceTimersByTimeAsync(200);
    expect(p.metrics()).toMatchObject({ applied: 1, unchanged: 1 });
    expect(updates).toHaveLength(0);
    expect(changes).toHaveLength(1);

    rig.client.emit(rawEntity(1, 100, { "test-Army": { x: ty.u32(9) } }));
    await vi.advanceTimersByTimeAsync(200);
    expect(p.metrics()).toMatchObject({ applied: 2, unchanged: 1 });
    expect(updates).toEqual([expect.objectContaining({ x: 9 })]);
    expect(changes.at(-1)).toMatchObject({ kind: "write", members: ["x"], ats: [100] });
  });
});

import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { settled, transactionDone } from "../../src/persist/requests";

function openStore(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = new IDBFactory().open("requests", 1);
    request.onupgradeneeded = () => request.result.createObjectStore("rows");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

describe("raw IndexedDB requests", () => {
  it("should reject a transaction's end with the error of the request that failed it, not an anonymous abort", async () => {
    const db = await openStore();
    const tx = db.transaction("rows", "readwrite");
    const done = transactionDone(tx);
    const rows = tx.objectStore("rows");
    rows.add("first", 1);
    // The same key again fails asynchronously, in its own request: the transaction aborts with that error.
    rows.add("again", 1);
    await expect(done).rejects.toMatchObject({ name: "ConstraintError" });
    db.close();
  });

  it("should settle a batch of requests with their results, in order, while the transaction can still be used", async () => {
    const db = await openStore();
    const tx = db.transaction("rows", "readwrite");
    const done = transactionDone(tx);
    const rows = tx.objectStore("rows");
    rows.put("a", 1);
    rows.put("b", 2);
    expect(await settled([rows.get(2), rows.get(1), rows.get(3)])).toEqual(["b", "a", undefined]);
    // Still active after the await: a put issued now lands in the same transaction.
    rows.put("c", 3);
    await done;
    const check = db.transaction("rows", "readonly").objectStore("rows");
    expect(await settled([check.getAll()])).toEqual([["a", "b", "c"]]);
    db.close();
  });
});

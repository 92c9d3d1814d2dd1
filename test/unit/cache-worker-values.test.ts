// The changes cross to the cache's worker as JSON text (protocol.ts encodeNote): what the worker stores must be what
// the page-thread writer (entity-row.ts) stores for the same changes, whatever object a custom client's values are.
import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import type { SyncError } from "../../src/core/errors";
import type { AdmittedChange } from "../../src/core/ports";
import type { ToriiValue } from "../../src/core/types";
import { connectCache } from "../../src/persist/connection";
import type { BackgroundTasks } from "../../src/persist/worker/background";
import { serveCacheWriter, type CacheWorkerScope } from "../../src/persist/worker/host";
import type { FromCacheWorker, ToCacheWorker } from "../../src/persist/worker/protocol";
import { createWorkerWriter } from "../../src/persist/worker/remote-writer";
import type { CacheWorkerLike } from "../../src/persist/worker/spawn";
import { createCacheWriter } from "../../src/persist/writer";
import { createFakeTime, id, turns } from "./persist-fakes";

const IDENTITY = { fingerprint: "schema-a", packageVersion: "1.0.0" };
const NAME = "cache";
const RECORD = '{"0x0000000000000000000000000000000000000000000000000000000000000001":{"m":[["ns-M",["m0"],[["u32",7]],100]]}}';

/** A value object of a custom client: own fields as Torii's, plus a toJSON on its prototype (cloneable, readable). */
class Prim {
  readonly type = "primitive";
  readonly type_name = "u32";
  readonly key = false;
  constructor(readonly value: number) {}
  toJSON(): number {
    return this.value;
  }
}
const change = (value: unknown, at = 100): AdmittedChange => ({ kind: "write", scope: "entities", entityId: id(1), model: "ns-M", members: ["m0"], values: [value as ToriiValue], ats: [at] });

/** A worker whose other side serves the cache writer (as in cache-worker.test.ts), or none at all. */
function servingWorker(factory: IDBFactory, time: ReturnType<typeof createFakeTime>): CacheWorkerLike & { terminated: boolean } {
  const deliver = (run: () => void): void => void Promise.resolve().then(() => !worker.terminated && run());
  const scope: CacheWorkerScope = { onmessage: null, postMessage: (m: FromCacheWorker) => deliver(() => worker.onmessage?.({ data: structuredClone(m) } as MessageEvent<FromCacheWorker>)) };
  const worker = {
    onmessage: null as CacheWorkerLike["onmessage"],
    onerror: null as CacheWorkerLike["onerror"],
    terminated: false,
    postMessage(message: ToCacheWorker) {
      const data = structuredClone(message);
      deliver(() => scope.onmessage?.({ data } as MessageEvent<ToCacheWorker>));
    },
    terminate() {
      worker.terminated = true;
    },
  };
  serveCacheWriter(scope, { indexedDB: factory, timers: time.tab() });
  return worker;
}

async function write(how: "page" | "worker" | "takeover", batches: AdmittedChange[][]) {
  const factory = new IDBFactory();
  const time = createFakeTime();
  const errors: SyncError[] = [];
  const connection = await connectCache({ name: NAME, identity: IDENTITY, indexedDB: factory, timers: time.tab(), onError: (e) => errors.push(e) });
  if (connection === undefined) throw new Error("no cache");
  const queue: Array<() => void> = [];
  const tasks: BackgroundTasks = { post: (run) => void queue.push(run), cancel: () => void queue.splice(0) };
  const writer = how === "page" ? createCacheWriter(connection, {}) : createWorkerWriter(connection, {}, () => (how === "worker" ? servingWorker(factory, time) : undefined), tasks);
  for (const batch of batches) writer.note(batch);
  const flushed = writer.flush();
  while (queue.length > 0) {
    queue.shift()?.();
    await turns(5);
  }
  await flushed;
  await turns(20);
  writer.close();
  connection.close();
  const records = await new Promise<unknown[]>((resolve) => {
    const open = factory.open(NAME);
    open.onsuccess = () => {
      const all = open.result.transaction("buckets").objectStore("buckets").getAll();
      all.onsuccess = () => {
        open.result.close();
        resolve(all.result as unknown[]);
      };
    };
  });
  return { errors: errors.map((e) => e.code), records };
}

describe("values a custom client hands over, written through the cache's worker", () => {
  it("should be stored readably by the page-thread writer when a value object has a toJSON", async () => {
    expect(await write("page", [[change(new Prim(7))]])).toEqual({ errors: [], records: [RECORD] });
  });

  // JSON.stringify of the change would call the toJSON and store `[7]` for `["u32",7]`, silently: the next warm start
  // would read it as corrupt (SYNC_CACHE_CORRUPT) and drop the cache.
  it("should be stored the same through the worker", async () => {
    expect(await write("worker", [[change(new Prim(7))]])).toEqual({ errors: [], records: [RECORD] });
  });

  it("should be stored the same by the page's writer that takes over when no worker could be made", async () => {
    expect(await write("takeover", [[change(new Prim(7))]])).toEqual({ errors: [], records: [RECORD] });
  });
});

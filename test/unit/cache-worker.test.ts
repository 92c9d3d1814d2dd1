import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SyncError } from "../../src/core/errors";
import type { AdmittedChange } from "../../src/core/ports";
import { openSyncCache } from "../../src/persist/cache";
import { connectCache, type OpenConnection } from "../../src/persist/connection";
import { backgroundTasks, type BackgroundTasks } from "../../src/persist/worker/background";
import { serveCacheWriter, type CacheWorkerScope } from "../../src/persist/worker/host";
import type { FromCacheWorker, ToCacheWorker } from "../../src/persist/worker/protocol";
import { createWorkerWriter, type CacheWorkerLike } from "../../src/persist/worker/remote-writer";
import { createFakeTime, turns, until, write } from "./persist-fakes";
import { ReferenceState, referenceOf } from "./persist-reference";

// The page's writer in front of the cache worker (remote-writer.ts) and the worker's side (host.ts), joined by a
// channel that delivers asynchronously and structured-clones every message, as a worker's does.

const IDENTITY = { fingerprint: "schema-a", packageVersion: "1.0.0" };
const NAME = "cache";

/** Entities 1..n, one model each, written at `at`. */
const generation = (n: number, at: number): AdmittedChange[] => Array.from({ length: n }, (_, i) => write(i + 1, "ns-Army", { hp: [at, at], x: [i, at] }));

interface FakeWorker extends CacheWorkerLike {
  readonly posted: ToCacheWorker[];
  terminated: boolean;
  released: number;
}

/** A worker whose other side serves the cache writer on `hostFactory`, or one whose script fails before it starts. */
function fakeWorker(hostFactory: IDBFactory, time: ReturnType<typeof createFakeTime>, failToStart = false): FakeWorker {
  const deliver = (run: () => void): void => void Promise.resolve().then(() => !worker.terminated && run());
  const scope: CacheWorkerScope = {
    onmessage: null,
    postMessage: (message: FromCacheWorker) => deliver(() => worker.onmessage?.({ data: structuredClone(message) } as MessageEvent<FromCacheWorker>)),
  };
  const worker: FakeWorker = {
    onmessage: null,
    onerror: null,
    posted: [],
    terminated: false,
    released: 0,
    postMessage(message) {
      worker.posted.push(message);
      if (failToStart) {
        if (worker.posted.length === 1) deliver(() => worker.onerror?.(new Event("error")));
        return;
      }
      deliver(() => scope.onmessage?.({ data: structuredClone(message) } as MessageEvent<ToCacheWorker>));
    },
    terminate() {
      worker.terminated = true;
    },
    release() {
      worker.released += 1;
    },
  };
  if (!failToStart) serveCacheWriter(scope, { indexedDB: hostFactory, timers: time.tab() });
  return worker;
}

/** Background tasks the test runs by hand. */
function manualTasks(): BackgroundTasks & { run(): Promise<void>; take(): (() => void) | undefined; readonly queued: number } {
  const queue: Array<() => void> = [];
  return {
    take: () => queue.shift(),
    post: (run) => void queue.push(run),
    cancel: () => void queue.splice(0),
    get queued() {
      return queue.length;
    },
    async run() {
      while (queue.length > 0) {
        queue.shift()?.();
        await turns(5);
      }
    },
  };
}

async function pageConnection(factory: IDBFactory, time: ReturnType<typeof createFakeTime>, errors: SyncError[] = []): Promise<OpenConnection> {
  const connection = await connectCache({ name: NAME, identity: IDENTITY, indexedDB: factory, timers: time.tab(), onError: (error) => errors.push(error) });
  if (connection === undefined) throw new Error("the cache did not open");
  return connection;
}

async function readBack(factory: IDBFactory, time: ReturnType<typeof createFakeTime>): Promise<ReferenceState> {
  const cache = await openSyncCache({ name: NAME, identity: IDENTITY, indexedDB: factory, timers: time.tab() });
  if (cache === undefined) throw new Error("the cache did not open");
  const state = new ReferenceState();
  await cache.hydrate((scope, messages) => state.applyMessages(scope, messages));
  cache.close();
  return state;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the cache writer in a worker", () => {
  it("should post nothing until a background task runs, then everything in order: the worker writes it and the page's counters follow", async () => {
    const factory = new IDBFactory();
    const time = createFakeTime();
    const connection = await pageConnection(factory, time);
    const worker = fakeWorker(factory, time);
    const tasks = manualTasks();
    let flushedCalls = 0;
    const writer = createWorkerWriter(connection, { watermark: "explicit", onFlushed: () => (flushedCalls += 1) }, () => worker, tasks);
    if (writer === undefined) throw new Error("no writer");
    const changes = generation(300, 100);
    writer.note(changes);
    writer.noteWatermark(100);
    const flushed = writer.flush();
    // The engine's drain is over before anything is cloned: posting waits for a background task.
    expect(worker.posted).toHaveLength(0);
    await tasks.run();
    await flushed;
    // A drain of 300 changes crosses as messages of at most 128.
    expect(worker.posted.map((message) => message.type)).toEqual(["open", "note", "note", "note", "watermark", "flush"]);
    expect(worker.posted.filter((message) => message.type === "note").map((message) => (message.type === "note" ? message.changes.length : 0))).toEqual([128, 128, 44]);
    expect(connection.counters).toMatchObject({ flushes: 1, entitiesWritten: 300, watermarkWritten: 100 });
    expect(flushedCalls).toBe(1);
    expect(writer.pending).toBe(0);
    expect(worker.released).toBe(1);
    expect((await readBack(factory, time)).visible()).toEqual(referenceOf(changes).visible());
    writer.close();
    connection.close();
  });

  it("should post in slices of about 2 ms of the page's clock, a background task each", async () => {
    const factory = new IDBFactory();
    // Each read of the slice clock moves it 1 ms: a slice posts two messages.
    const time = createFakeTime(1_700_000_000_000, 1);
    const connection = await pageConnection(factory, time);
    const worker = fakeWorker(factory, time);
    const tasks = manualTasks();
    const writer = createWorkerWriter(connection, {}, () => worker, tasks);
    if (writer === undefined) throw new Error("no writer");
    writer.note(generation(300, 100));
    expect(tasks.queued).toBe(1);
    const runOne = async (): Promise<void> => {
      tasks.take()?.();
      await turns(5);
    };
    await runOne();
    expect(worker.posted.map((message) => message.type)).toEqual(["open", "note"]);
    // The slice was over: the rest waits for the next background task.
    expect(tasks.queued).toBe(1);
    await runOne();
    expect(worker.posted.map((message) => message.type)).toEqual(["open", "note", "note", "note"]);
    expect(tasks.queued).toBe(0);
    writer.close();
    connection.close();
  });

  it("should hand everything to a writer in the page's thread when the worker fails to start: nothing is lost", async () => {
    const factory = new IDBFactory();
    const time = createFakeTime();
    const errors: SyncError[] = [];
    const connection = await pageConnection(factory, time, errors);
    const worker = fakeWorker(factory, time, true);
    const tasks = manualTasks();
    const writer = createWorkerWriter(connection, { watermark: "explicit" }, () => worker, tasks);
    if (writer === undefined) throw new Error("no writer");
    const changes = generation(40, 100);
    writer.note(changes.slice(0, 20));
    const early = writer.flush();
    await tasks.run();
    await until(() => worker.terminated);
    // Noted after the worker failed: straight to the page's writer.
    writer.note(changes.slice(20));
    writer.noteWatermark(100);
    await early;
    await writer.flush();
    expect(errors).toEqual([]);
    expect(connection.counters).toMatchObject({ entitiesWritten: 40, watermarkWritten: 100 });
    expect((await readBack(factory, time)).visible()).toEqual(referenceOf(changes).visible());
    writer.close();
    connection.close();
  });

  it("should report a failure in the worker once, drop the page's cache, stop the worker and answer waiting flushes", async () => {
    const factory = new IDBFactory();
    // The worker's IndexedDB has no such database (as when the page's cache was deleted meanwhile): it must make none.
    const elsewhere = new IDBFactory();
    const time = createFakeTime();
    const errors: SyncError[] = [];
    const connection = await pageConnection(factory, time, errors);
    const worker = fakeWorker(elsewhere, time);
    const tasks = manualTasks();
    const writer = createWorkerWriter(connection, {}, () => worker, tasks);
    if (writer === undefined) throw new Error("no writer");
    writer.note(generation(5, 100));
    const flushed = writer.flush();
    await tasks.run();
    await flushed;
    await until(() => errors.length > 0);
    expect(errors.map((error) => error.code)).toEqual(["SYNC_CACHE_UNAVAILABLE"]);
    expect(errors[0]?.message).toMatch(/gone or no longer this cache's/);
    expect(connection.usable()).toBe(false);
    expect(worker.terminated).toBe(true);
    expect((await elsewhere.databases()).map((info) => info.name)).toEqual([]);
    // Dropped: later notes and flushes go nowhere and wait for nothing.
    writer.note(generation(1, 200));
    await writer.flush();
    expect(tasks.queued).toBe(0);
    writer.close();
  });

  it("should stop the worker, call off its posting and answer a waiting flush on close, or when the page's cache is dropped", async () => {
    const factory = new IDBFactory();
    const time = createFakeTime();
    const connection = await pageConnection(factory, time);
    const worker = fakeWorker(factory, time);
    const tasks = manualTasks();
    const writer = createWorkerWriter(connection, {}, () => worker, tasks);
    if (writer === undefined) throw new Error("no writer");
    writer.note(generation(5, 100));
    const flushed = writer.flush();
    writer.close();
    await flushed;
    expect(worker.terminated).toBe(true);
    expect(tasks.queued).toBe(0);
    expect(worker.posted).toHaveLength(0);

    const second = fakeWorker(factory, time);
    const writer2 = createWorkerWriter(connection, {}, () => second, manualTasks());
    expect(writer2).toBeDefined();
    connection.close();
    expect(second.terminated).toBe(true);
  });

  it("should be no writer at all when no worker can be made (the caller writes from the page)", async () => {
    const factory = new IDBFactory();
    const time = createFakeTime();
    const connection = await pageConnection(factory, time);
    expect(createWorkerWriter(connection, {}, () => undefined, manualTasks())).toBeUndefined();
    connection.close();
  });
});

describe("background tasks without a scheduler", () => {
  it("should run posted tasks on timers and call off every one not yet run", () => {
    vi.useFakeTimers();
    const tasks = backgroundTasks();
    const ran: number[] = [];
    tasks.post(() => ran.push(1));
    vi.runAllTimers();
    tasks.post(() => ran.push(2));
    tasks.post(() => ran.push(3));
    tasks.cancel();
    vi.runAllTimers();
    expect(ran).toEqual([1]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

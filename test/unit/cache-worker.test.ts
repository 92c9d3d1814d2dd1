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
import { createWorkerWriter } from "../../src/persist/worker/remote-writer";
import type { CacheWriterOptions } from "../../src/persist/writer";
import type { CacheWorkerLike } from "../../src/persist/worker/spawn";
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

/**
 * A worker whose other side serves the cache writer on `hostFactory`; or one whose script fails before it starts
 * (`"fails"`), or never answers (`"silent"`).
 */
function fakeWorker(hostFactory: IDBFactory, time: ReturnType<typeof createFakeTime>, mode: "serves" | "fails" | "silent" = "serves"): FakeWorker {
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
      // Cloned when posted, as a worker's postMessage does: what cannot be cloned throws here.
      const data = structuredClone(message);
      worker.posted.push(message);
      if (mode === "fails") {
        if (worker.posted.length === 1) deliver(() => worker.onerror?.(new Event("error")));
        return;
      }
      if (mode === "serves") deliver(() => scope.onmessage?.({ data } as MessageEvent<ToCacheWorker>));
    },
    terminate() {
      worker.terminated = true;
    },
    release() {
      worker.released += 1;
    },
  };
  if (mode === "serves") serveCacheWriter(scope, { indexedDB: hostFactory, timers: time.tab() });
  return worker;
}

/** Background tasks the test runs by hand. */
function manualTasks(): BackgroundTasks & { run(): Promise<void>; take(): (() => void) | undefined; readonly queued: number; readonly urgent: boolean[] } {
  const queue: Array<() => void> = [];
  const urgent: boolean[] = [];
  return {
    urgent,
    take: () => queue.shift(),
    post: (run, isUrgent = false) => {
      queue.push(run);
      urgent.push(isUrgent);
    },
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

/** A page's connection and a worker writer in front of a fake worker, with hand-run background tasks. */
async function setup(options: { step?: number; mode?: "serves" | "fails" | "silent"; hostFactory?: IDBFactory; writer?: CacheWriterOptions; before?: (connection: OpenConnection) => void } = {}) {
  const factory = new IDBFactory();
  const time = createFakeTime(1_700_000_000_000, options.step ?? 0);
  const errors: SyncError[] = [];
  const connection = await pageConnection(factory, time, errors);
  options.before?.(connection);
  const worker = fakeWorker(options.hostFactory ?? factory, time, options.mode);
  const tasks = manualTasks();
  const writer = createWorkerWriter(connection, options.writer ?? {}, () => worker, tasks);
  return { factory, time, errors, connection, worker, tasks, writer };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the cache writer in a worker", () => {
  it("should post nothing until a background task runs, then everything in order: the worker writes it and the page's counters follow", async () => {
    let flushedCalls = 0;
    const { factory, time, connection, worker, tasks, writer } = await setup({ writer: { watermark: "explicit", onFlushed: () => (flushedCalls += 1) } });
    const changes = generation(1_200, 100);
    writer.note(changes);
    writer.noteWatermark(100);
    expect(writer.pending).toBe(1_200);
    const flushed = writer.flush();
    // The engine's drain is over before anything is cloned: posting waits for a background task.
    expect(worker.posted).toHaveLength(0);
    await tasks.run();
    await flushed;
    // A drain of 1,200 changes crosses as messages of at most 512, each the JSON text of its changes, in order.
    expect(worker.posted.map((message) => message.type)).toEqual(["open", "note", "note", "note", "watermark", "flush"]);
    const notes = worker.posted.flatMap((message) => (message.type === "note" ? [message] : []));
    expect(notes.map((message) => message.count)).toEqual([512, 512, 176]);
    expect(notes.map((message) => typeof message.text)).toEqual(["string", "string", "string"]);
    expect(notes.flatMap((message) => JSON.parse(message.text) as AdmittedChange[])).toEqual(changes);
    expect(connection.counters).toMatchObject({ flushes: 1, entitiesWritten: 1_200, watermarkWritten: 100 });
    expect(flushedCalls).toBe(1);
    expect(writer.pending).toBe(0);
    expect(worker.released).toBe(1);
    expect((await readBack(factory, time)).visible()).toEqual(referenceOf(changes).visible());
    writer.close();
    connection.close();
  });

  it("should post in slices of about 2 ms of the page's clock, a background task each", async () => {
    // Each read of the slice clock moves it 1 ms: a slice posts two messages.
    const { connection, worker, tasks, writer } = await setup({ step: 1 });
    writer.note(generation(1_200, 100));
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
    const { factory, time, errors, connection, worker, tasks, writer } = await setup({ mode: "fails", writer: { watermark: "explicit" } });
    const changes = generation(40, 100);
    writer.note(changes.slice(0, 20));
    const early = writer.flush();
    await tasks.run();
    await until(() => worker.terminated);
    // Noted after the worker failed: straight to the page's writer.
    writer.note(changes.slice(20));
    writer.noteWatermark(100);
    await early;
    // The flush asked before the hand-over waited for the page's writer to commit what it covers.
    expect(connection.counters.entitiesWritten).toBeGreaterThanOrEqual(20);
    await writer.flush();
    expect(errors).toEqual([]);
    expect(connection.counters).toMatchObject({ entitiesWritten: 40, watermarkWritten: 100 });
    expect((await readBack(factory, time)).visible()).toEqual(referenceOf(changes).visible());
    writer.close();
    connection.close();
  });

  it("should report a failure in the worker once, drop the page's cache, stop the worker and answer waiting flushes", async () => {
    // The worker's IndexedDB has no such database (as when the page's cache was deleted meanwhile): it must make none.
    const elsewhere = new IDBFactory();
    const { errors, connection, worker, tasks, writer } = await setup({ hostFactory: elsewhere });
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
    const { factory, time, connection, worker, tasks, writer } = await setup();
    writer.note(generation(5, 100));
    const flushed = writer.flush();
    writer.close();
    await flushed;
    // Closed before its first task: no worker was ever started, and the task is called off.
    expect(tasks.queued).toBe(0);
    expect(worker.posted).toHaveLength(0);

    // A worker starts on first use; the page's cache closing stops it.
    const second = fakeWorker(factory, time);
    const secondTasks = manualTasks();
    const secondWriter = createWorkerWriter(connection, {}, () => second, secondTasks);
    secondWriter.note(generation(1, 100));
    await secondTasks.run();
    expect(second.posted.length).toBeGreaterThan(0);
    // A flush waiting when the page's cache is dropped (another tab cleared it, say) is answered, not left hanging.
    secondWriter.note(generation(1, 200));
    const waitingFlush = secondWriter.flush();
    connection.close();
    await waitingFlush;
    expect(second.terminated).toBe(true);
  });

  it("should start no worker until the first write (a follower tab never starts one), and start it with that write", async () => {
    const factory = new IDBFactory();
    const time = createFakeTime();
    const connection = await pageConnection(factory, time);
    const tasks = manualTasks();
    let spawned = 0;
    const writer = createWorkerWriter(connection, {}, () => {
      spawned += 1;
      return fakeWorker(factory, time);
    }, tasks);
    await tasks.run();
    expect(tasks.queued).toBe(0);
    expect(spawned).toBe(0);
    writer.note(generation(1, 100));
    // Made in the engine's task, with the first write: not later, in the page's first quiet moment.
    expect(spawned).toBe(1);
    // A page kept busy past the ready timeout (a long replay) has not posted `open` yet: the worker is not given up.
    time.advance(20_000);
    await tasks.run();
    expect(spawned).toBe(1);
    const flushed = writer.flush();
    await tasks.run();
    await flushed;
    expect(connection.counters.entitiesWritten).toBe(1);
    expect(tasks.queued).toBe(0);
    writer.close();
    connection.close();
  });

  it("should write from the page's thread when no worker can be made (or making one throws), or the worker never answers", async () => {
    for (const made of ["none", "throws", "silent"] as const) {
      const factory = new IDBFactory();
      const time = createFakeTime();
      const connection = await pageConnection(factory, time);
      const tasks = manualTasks();
      const silent = fakeWorker(factory, time, "silent");
      const spawn = (): FakeWorker | undefined => {
        if (made === "throws") throw new DOMException("refused", "SecurityError");
        return made === "none" ? undefined : silent;
      };
      const writer = createWorkerWriter(connection, { watermark: "explicit" }, spawn, tasks);
      const changes = generation(10, 100);
      writer.note(changes);
      writer.noteWatermark(100);
      await tasks.run();
      // A silent worker is given up after 10 s.
      if (made === "silent") {
        expect(connection.counters.entitiesWritten).toBe(0);
        time.advance(10_000);
        expect(silent.terminated).toBe(true);
      }
      await writer.flush();
      expect(connection.counters).toMatchObject({ entitiesWritten: 10, watermarkWritten: 100 });
      expect((await readBack(factory, time)).visible()).toEqual(referenceOf(changes).visible());
      writer.close();
      connection.close();
    }
  });

  it("should fail the cache once, and answer a waiting flush, when a change cannot be encoded for the worker", async () => {
    const { errors, connection, worker, tasks, writer } = await setup();
    const [change] = generation(1, 100);
    // A bigint among a value's fields: a custom client's, which JSON (the cache's format) cannot hold.
    const odd = { ...change, values: [{ type: "primitive", type_name: "u64", value: 1n, key: false }] } as unknown as AdmittedChange;
    // A valid change first: the worker is started with it.
    writer.note(generation(1, 90));
    writer.note([odd]);
    writer.note(generation(1, 200));
    const flushed = writer.flush();
    await tasks.run();
    await flushed;
    expect(errors.map((error) => error.code)).toEqual(["SYNC_CACHE_UNAVAILABLE"]);
    expect(errors[0]?.message).toMatch(/could not be encoded for the cache's worker/);
    // Stopped before anything was posted: the cache is dropped whole, the sync goes on without it.
    expect(worker.posted).toEqual([]);
    expect(connection.usable()).toBe(false);
    expect(worker.terminated).toBe(true);
  });

  it("should post in ordinary tasks when a flush waits or the backlog grows past 1,024 messages, and add the worker's totals to the page's", async () => {
    // Each read of the slice clock moves it 1 ms: a task posts two messages. Totals of an earlier writer on this
    // connection (a former leader term) are there before it: the new worker's start at zero.
    const { connection, tasks, writer } = await setup({
      step: 1,
      before: (page) => {
        page.counters.entitiesWritten = 5;
        page.counters.flushes = 2;
      },
    });
    for (let i = 0; i < 1_030; i += 1) writer.note([write(i + 1, "ns-Army", { hp: [100, 100] })]);
    // The background task queued with the first note is overtaken by an ordinary one once more than 1,024 wait.
    expect(tasks.urgent).toEqual([false, true]);
    await tasks.run();
    expect(tasks.urgent.slice(0, 3)).toEqual([false, true, true]);
    tasks.urgent.splice(0);
    writer.note(generation(1, 200));
    const flushed = writer.flush();
    expect(tasks.urgent).toContain(true);
    await tasks.run();
    await flushed;
    expect(connection.counters).toMatchObject({ entitiesWritten: 5 + 1_030, flushes: 2 + 1 });
    writer.close();
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

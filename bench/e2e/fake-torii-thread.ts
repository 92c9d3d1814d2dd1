// The fake Torii in a worker thread of this process: the server gets a core of its own (of two), so what an
// end-to-end bench measures is the client. Drives `fake-torii-worker.ts` through its messages.
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";

/** The server side of a run: where it listens, how to make it publish, and what it saw. */
export interface FakeToriiThread {
  readonly url: string;
  readonly worldAddress: string;
  /** Publish `count` stamina updates at `ratePerSecond` (Infinity: as fast as it can); resolves when the last is written. */
  drive(count: number, ratePerSecond: number): Promise<{ readonly perSecond: number; readonly behindMs: number }>;
  /** Subscribers the fake disconnected because their backlog passed its limit (real Torii's 256 messages). */
  evictions(): Promise<number>;
  close(): Promise<void>;
}

export const DEFAULT_KIT = fileURLToPath(new URL("../../src/testing/index.ts", import.meta.url));

/** Start a fake Torii with `armies` armies in a worker; `kit` is the testing kit's entry (another checkout's, for before/after). */
export async function startFakeToriiThread(armies: number, kit: string = DEFAULT_KIT): Promise<FakeToriiThread> {
  // A worker does not inherit tsx's loader hooks: load the TypeScript entry through tsx's API.
  const entry = JSON.stringify(new URL("./fake-torii-worker.ts", import.meta.url).href);
  const worker = new Worker(`import("tsx/esm/api").then(({ tsImport }) => tsImport(${entry}, ${entry}))`, { eval: true, workerData: { kit } });
  // One question at a time: each answer is the next message; the error listener goes with its question.
  const ask = <T>(message: unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      const fail = (error: Error): void => reject(error);
      worker.once("message", (answer: T) => {
        worker.off("error", fail);
        resolve(answer);
      });
      worker.once("error", fail);
      worker.postMessage(message);
    });
  const started = await ask<{ url: string; worldAddress: string }>({ start: { armies } });
  return {
    ...started,
    drive: async (count, ratePerSecond) => (await ask<{ report: { perSecond: number; behindMs: number } }>({ drive: { count, ratePerSecond } })).report,
    evictions: async () => (await ask<{ evictions: number }>({ evictions: true })).evictions,
    async close() {
      await ask({ close: true });
      await worker.terminate();
    },
  };
}

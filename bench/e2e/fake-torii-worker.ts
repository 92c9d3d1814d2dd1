// A fake Torii in a worker thread, started by fake-torii-thread.ts: the server gets a core of its own, so what the
// benchmark measures is the client. Messages: { start: { armies } } → { url, worldAddress };
// { drive: { count, ratePerSecond } } → { report }; { evictions: true } → { evictions }; { close: true } → { closed: true }.
import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { armyUpdate, seedArmies } from "./army-updates";

type Kit = typeof import("../../src/testing/index");

const kit = (await import(pathToFileURL((workerData as { kit: string }).kit).href)) as Kit;
let fake: Awaited<ReturnType<Kit["startFakeTorii"]>> | undefined;
let armies = 0;

parentPort?.on("message", (message: { start?: { armies: number }; drive?: { count: number; ratePerSecond: number }; evictions?: true; close?: true }) => {
  void (async () => {
    if (message.start !== undefined) {
      armies = message.start.armies;
      fake = await kit.startFakeTorii({ seed: 1, world: { seed: 1, activity: false } });
      seedArmies(fake.world, armies);
      parentPort?.postMessage({ url: fake.url, worldAddress: fake.worldAddress });
    } else if (message.drive !== undefined && fake !== undefined) {
      const report = await kit.driveWrites(fake.world, { ...message.drive, write: armyUpdate(fake.world, armies) }).done;
      parentPort?.postMessage({ report });
    } else if (message.evictions === true) {
      parentPort?.postMessage({ evictions: fake?.stats().evictions ?? 0 });
    } else if (message.close === true) {
      await fake?.close();
      parentPort?.postMessage({ closed: true });
    }
  })();
});

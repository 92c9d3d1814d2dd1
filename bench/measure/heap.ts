/** Full collection, twice: the first pass can leave weakly held and finalizable objects for a second one. */
export function collectGarbage(): void {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error("The bench needs global.gc: run it as `npm run bench` (node --expose-gc).");
  gc();
  gc();
}

/** Bytes of JS heap in use once everything unreachable is collected. */
export function heapUsedAfterGc(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Bytes a structure holds, JS heap and typed-array backing stores together (the latter live outside the heap). */
export interface MemoryReading {
  readonly heapUsed: number;
  readonly arrayBuffers: number;
}

/**
 * heapUsed and arrayBuffers once everything unreachable is collected. V8 may free the backing stores of dead typed
 * arrays on a helper thread after the collection, so a turn of the event loop passes and a last collection runs
 * before reading.
 */
export async function memoryAfterGc(): Promise<MemoryReading> {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 10));
  collectGarbage();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { heapUsed, arrayBuffers };
}

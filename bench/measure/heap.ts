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

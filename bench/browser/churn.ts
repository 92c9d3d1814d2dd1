// Short-lived garbage at a steady rate, for the persist bench's allocating control.
import { afterOneMs } from "./tasks";

/** What a churn allocated: the calibrated size of one of its objects, how many it made, and their bytes. */
export interface ChurnFigures {
  /** Bytes of one object, measured with `performance.memory` (Chromium's precise memory info) on 20,000 kept alive. */
  readonly bytesPerObject: number;
  readonly objects: number;
  readonly allocatedBytes: number;
  readonly spanMs: number;
}

const CALIBRATION_OBJECTS = 20_000;
/** At most this much time's worth in one task: the churn's own tasks stay about a millisecond long. */
const MAX_CATCH_UP_MS = 2;

interface Garbage {
  at: number;
  xy: number[];
  label: string;
}

const make = (i: number): Garbage => ({ at: i, xy: [i, i + 1], label: `tile-${i}` });

/**
 * What a page that keeps rendering does after its world is built: allocate objects that die at once, about
 * `bytesPerMs` of them per millisecond, in a task every millisecond or so. Its young-generation collections are the
 * heap's cost, whoever allocates: the control that shows what any allocating code pays on the world the replay built.
 */
export function startChurn(bytesPerMs: number): { stop(): ChurnFigures } {
  const memory = (): number => (performance as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? Number.NaN;
  const kept: Garbage[] = [];
  const before = memory();
  for (let i = 0; i < CALIBRATION_OBJECTS; i += 1) kept.push(make(i));
  const bytesPerObject = (memory() - before) / CALIBRATION_OBJECTS;
  kept.length = 0;
  if (!(bytesPerObject > 0)) throw new Error("the churn needs performance.memory with precise figures (--enable-precise-memory-info)");
  const ring: Garbage[] = new Array<Garbage>(64);
  const started = performance.now();
  let last = started;
  let objects = 0;
  let running = true;
  const tick = (): void => {
    if (!running) return;
    const now = performance.now();
    const due = Math.round((Math.min(now - last, MAX_CATCH_UP_MS) * bytesPerMs) / bytesPerObject);
    last = now;
    // Kept in a small ring so that the allocations cannot be optimised away; each dies 64 objects later.
    for (let i = 0; i < due; i += 1) ring[(objects + i) & 63] = make(objects + i);
    objects += due;
    afterOneMs(tick);
  };
  afterOneMs(tick);
  return {
    stop() {
      running = false;
      return { bytesPerObject, objects, allocatedBytes: objects * bytesPerObject, spanMs: performance.now() - started };
    },
  };
}

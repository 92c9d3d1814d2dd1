import type { Timers } from "../../src/core/clock";

/**
 * Timers a test drives by hand, for code that also does real I/O (HTTP to the fake server), where global fake timers
 * would stall the server too. `advance(ms)` runs what falls due, in order.
 */
export class ManualTimers implements Timers {
  private clock = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { due: number; callback: () => void }>();
  readonly delays: number[] = [];

  now(): number {
    return this.clock;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId;
    this.nextId += 1;
    this.delays.push(ms);
    this.pending.set(id, { due: this.clock + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get count(): number {
    return this.pending.size;
  }

  advance(ms: number): void {
    const until = this.clock + ms;
    for (;;) {
      let next: [number, { due: number; callback: () => void }] | undefined;
      for (const entry of this.pending) if (entry[1].due <= until && (next === undefined || entry[1].due < next[1].due)) next = entry;
      if (next === undefined) break;
      this.pending.delete(next[0]);
      this.clock = next[1].due;
      next[1].callback();
    }
    this.clock = until;
  }
}

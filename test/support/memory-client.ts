import type { ToriiCallback, ToriiClientLike, ToriiPageLike, ToriiQuery, ToriiSubscriptionLike } from "../../src/torii/client-types";

/**
 * An in-process stand-in for the Torii client, for unit tests of one module: pages served from an array with a cursor,
 * subscribers called synchronously. Integration tests use the real wasm client against the fake server instead.
 */
export class MemoryToriiClient implements ToriiClientLike {
  rows: unknown[] = [];
  /** Runs before each page is answered: lets a test interleave stream updates with paging. */
  beforePage: ((pageIndex: number) => void | Promise<void>) | undefined;
  /** Force a cursor value (e.g. to repeat one). */
  cursorOverride: ((pageIndex: number, next: string | undefined) => string | undefined) | undefined;
  pagesServed = 0;
  subscribeCalls = 0;
  cancelCalls = 0;
  private readonly subscribers = new Set<ToriiCallback>();

  async getEntities(query: ToriiQuery): Promise<ToriiPageLike> {
    const pageIndex = this.pagesServed;
    this.pagesServed += 1;
    await this.beforePage?.(pageIndex);
    const start = query.pagination.cursor === undefined ? 0 : Number(query.pagination.cursor);
    const limit = query.pagination.limit ?? this.rows.length;
    const wanted = (query.clause as { HashedKeys?: string[] } | undefined)?.HashedKeys;
    if (wanted !== undefined) {
      // A HashedKeys clause: the listed entities only, whatever their id's padding.
      const ids = new Set(wanted.map((id) => BigInt(id)));
      return { items: this.rows.filter((row) => ids.has(BigInt((row as { hashed_keys: string }).hashed_keys))), next_cursor: undefined };
    }
    const items = this.rows.slice(start, start + limit);
    let next = start + limit < this.rows.length ? String(start + limit) : undefined;
    if (this.cursorOverride !== undefined) next = this.cursorOverride(pageIndex, next);
    return { items, next_cursor: next };
  }

  async onEntityUpdated(_clause: unknown, _worlds: string[] | undefined, callback: ToriiCallback): Promise<ToriiSubscriptionLike> {
    this.subscribeCalls += 1;
    this.subscribers.add(callback);
    let consumed = false;
    return {
      cancel: () => {
        // Like the wasm client: the handle is consumed by cancel and throws on a second one.
        if (consumed) throw new Error("null pointer passed to rust");
        consumed = true;
        this.cancelCalls += 1;
        this.subscribers.delete(callback);
      },
    };
  }

  emit(...args: unknown[]): void {
    for (const subscriber of [...this.subscribers]) subscriber(...args);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }
}

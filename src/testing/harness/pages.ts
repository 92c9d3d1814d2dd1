import type { WasmClause, WasmEntity, WasmToriiClient } from "./wasm-client";

export interface PageWalk {
  readonly items: WasmEntity[];
  readonly pages: number;
  readonly cursors: string[];
}

export interface PageQueryOptions {
  readonly clause?: WasmClause;
  readonly limit?: number;
  readonly models?: string[];
  readonly worldAddresses?: string[];
  readonly direction?: "Forward" | "Backward";
  readonly events?: boolean;
}

/**
 * Follows `next_cursor` until it is empty (never stopping on a short page) and fails on a repeated cursor,
 * the way a correct snapshot loader must.
 */
export async function fetchAllPages(client: WasmToriiClient, options: PageQueryOptions = {}): Promise<PageWalk> {
  const items: WasmEntity[] = [];
  const cursors: string[] = [];
  let cursor: string | undefined;
  for (let pages = 1; ; pages += 1) {
    const query = {
      world_addresses: options.worldAddresses ?? [],
      pagination: { limit: options.limit ?? 100, cursor, direction: options.direction ?? "Forward", order_by: [] },
      clause: options.clause,
      no_hashed_keys: false,
      models: options.models ?? [],
      historical: false,
    };
    const page = options.events === true ? await client.getEventMessages(query) : await client.getEntities(query);
    items.push(...page.items);
    const next = page.next_cursor;
    if (next === undefined || next === null || next === "") return { items, pages, cursors };
    if (cursors.includes(next)) throw new Error(`cursor ${next} was returned twice`);
    cursors.push(next);
    cursor = next;
  }
}

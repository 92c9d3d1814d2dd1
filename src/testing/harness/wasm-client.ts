import { createRequire } from "node:module";
import type * as ToriiWasm from "@dojoengine/torii-wasm/node";

export type ToriiWasmModule = typeof ToriiWasm;
export type WasmToriiClient = ToriiWasm.ToriiClient;
export type WasmEntity = ToriiWasm.Entity;
export type WasmClause = ToriiWasm.Clause;
export type WasmSubscription = ToriiWasm.Subscription;

let loaded: ToriiWasmModule | undefined;

/**
 * Loads the real wasm Torii client in Node. Only the CommonJS `node` build works there in 1.8.2: the ESM `…/node`
 * entry is broken and the default entry needs `--experimental-wasm-modules`.
 */
export function loadToriiWasm(): ToriiWasmModule {
  loaded ??= createRequire(import.meta.url)("@dojoengine/torii-wasm/node") as ToriiWasmModule;
  return loaded;
}

/** A real ToriiClient pointed at a (fake) Torii; the constructor returns a Promise despite its typings. */
export async function connectToriiClient(target: { readonly url: string; readonly worldAddress: string }): Promise<WasmToriiClient> {
  const { ToriiClient } = loadToriiWasm();
  return await (new ToriiClient({ toriiUrl: target.url, worldAddress: target.worldAddress }) as unknown as Promise<WasmToriiClient>);
}

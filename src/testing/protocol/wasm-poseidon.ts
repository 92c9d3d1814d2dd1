import { loadToriiWasm } from "../harness/wasm-client";
import { usePoseidon } from "./felt";

let tried = false;

/**
 * Hash entity keys with the wasm client's Poseidon (Node only: it loads the wasm through `createRequire`). Without the
 * wasm (an optional peer dependency) the JS implementation stays: same ids, slower.
 */
export function preferWasmPoseidon(): void {
  if (tried) return;
  tried = true;
  try {
    const { poseidonHash } = loadToriiWasm();
    usePoseidon((keys) => BigInt(poseidonHash(keys.map((key) => `0x${key.toString(16)}`))));
  } catch {
    // The peer dependency is missing or failed to load: @scure's Poseidon computes the same ids.
  }
}

// The cache worker's entry: bundled into one script (scripts/build-cache-worker.ts) that the page starts from a Blob.
import { serveCacheWriter, type CacheWorkerScope } from "./host";

serveCacheWriter(globalThis as unknown as CacheWorkerScope);

// A minimal SubscribeEntities reader that only counts gRPC-web frames: with it, `server-throughput.ts --client raw`
// measures the fake Torii alone (its CPU per update and its publish rate), without the wasm client's decoding.
import http from "node:http";

export interface RawSubscription {
  /** Update frames received (the stream's first message, the subscription id, is not counted). */
  readonly received: () => number;
  cancel(): void;
}

export async function subscribeRaw(url: string): Promise<RawSubscription> {
  // SubscribeEntitiesRequest {} in one uncompressed data frame: no clause, every world.
  const body = Buffer.from([0, 0, 0, 0, 0]);
  let frames = 0;
  let pending = Buffer.alloc(0);
  const request = http.request(`${url}/world.World/SubscribeEntities`, {
    method: "POST",
    headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1", "content-length": body.length },
  });
  const opened = new Promise<void>((resolve, reject) => {
    request.on("error", reject);
    request.on("response", (response) => {
      response.on("data", (chunk: Buffer) => {
        let data = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        let at = 0;
        while (data.length - at >= 5) {
          const length = data.readUInt32BE(at + 1);
          if (data.length - at < 5 + length) break;
          frames += 1;
          if (frames === 1) resolve();
          at += 5 + length;
        }
        data = data.subarray(at);
        pending = data.length === 0 ? Buffer.alloc(0) : Buffer.from(data);
      });
      response.on("error", () => undefined);
    });
  });
  request.end(body);
  await opened;
  return {
    received: () => Math.max(0, frames - 1),
    cancel: () => request.destroy(),
  };
}

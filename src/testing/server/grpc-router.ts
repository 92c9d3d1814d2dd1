import type { IncomingMessage, ServerResponse } from "node:http";
import { Methods, isKnownMethod } from "../protocol/codecs";
import type { MethodCodec } from "../protocol/codecs";
import { decodeRequestBody, encodeDataFrame, encodeGrpcMessage, encodeTrailerFrame, GRPC_WEB_CONTENT_TYPE, GrpcStatus } from "../protocol/grpc-web";
import { fromBytes } from "../protocol/felt";
import type { WorldSimulator } from "../world/simulator";
import type { PageFaults } from "./page-faults";
import { retrievePage } from "./retrieve";
import { toSqlResponse } from "./sql";
import { worldContract } from "./stream-hub";
import type { StreamHub } from "./stream-hub";
import type { TimerRegistry } from "./timers";

export const CORS_HEADERS: Readonly<Record<string, string>> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, GET, OPTIONS",
  "access-control-allow-headers": "content-type, x-grpc-web, x-user-agent, grpc-timeout, grpc-encoding, grpc-accept-encoding",
  "access-control-expose-headers": "grpc-status, grpc-message",
};

const RESPONSE_HEADERS = { ...CORS_HEADERS, "content-type": GRPC_WEB_CONTENT_TYPE };

export interface GrpcContext {
  readonly world: WorldSimulator;
  readonly hub: StreamHub;
  readonly faults: PageFaults;
  readonly timers: TimerRegistry;
}

/** A gRPC error. Sent "trailers-only" (status in the HTTP headers): the wasm client ignores a lone trailer frame. */
export function sendGrpcError(response: ServerResponse, status: number, message: string): void {
  if (response.headersSent) {
    response.end(encodeTrailerFrame(status, message));
    return;
  }
  response.writeHead(200, { ...RESPONSE_HEADERS, "grpc-status": String(status), "grpc-message": encodeGrpcMessage(message) });
  response.end();
}

function sendUnary<O>(response: ServerResponse, codec: MethodCodec<unknown, O>, message: O): void {
  if (response.destroyed) return;
  response.writeHead(200, RESPONSE_HEADERS);
  response.write(encodeDataFrame(codec.output.toBinary(message)));
  response.end(encodeTrailerFrame(GrpcStatus.OK));
}

function openStream(response: ServerResponse): void {
  // A write racing a client disconnect reports ERR_STREAM_DESTROYED as 'error'; the 'close' handlers clean up.
  response.on("error", () => undefined);
  response.writeHead(200, RESPONSE_HEADERS);
  response.socket?.setNoDelay(true);
  response.socket?.setTimeout(0);
  response.flushHeaders();
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Answers one `POST /world.World/<method>` whose body has been read. */
export function handleGrpc(context: GrpcContext, method: string, body: Buffer, response: ServerResponse): void {
  if (!isKnownMethod(method)) {
    sendGrpcError(response, GrpcStatus.UNIMPLEMENTED, `the fake Torii does not implement world.World/${method}`);
    return;
  }
  let bytes: Uint8Array;
  try {
    bytes = decodeRequestBody(body);
  } catch (error) {
    sendGrpcError(response, GrpcStatus.INVALID_ARGUMENT, errorMessage(error));
    return;
  }
  try {
    dispatch(context, method, bytes, response);
  } catch (error) {
    sendGrpcError(response, statusFor(error), errorMessage(error));
  }
}

/** Bad cursors and unsupported clauses are the caller's mistake; anything else is a bug in the fake. */
function statusFor(error: unknown): number {
  const name = error instanceof Error ? error.name : "";
  return name === "BadCursorError" || name === "UnsupportedClauseError" ? GrpcStatus.INVALID_ARGUMENT : GrpcStatus.INTERNAL;
}

function dispatch(context: GrpcContext, method: keyof typeof Methods, bytes: Uint8Array, response: ServerResponse): void {
  const { world, hub } = context;
  switch (method) {
    case "RetrieveEntities":
    case "RetrieveEventMessages": {
      const codec = Methods[method];
      const request = codec.input.fromBinary(bytes);
      const kind = method === "RetrieveEntities" ? "entity" : "event";
      const serve = (): void => {
        try {
          sendUnary(response, codec, retrievePage(world, kind, request.query));
        } catch (error) {
          sendGrpcError(response, statusFor(error), errorMessage(error));
        }
      };
      const fault = context.faults.take();
      if (fault?.kind === "fail") sendGrpcError(response, fault.status, fault.message);
      else if (fault?.kind === "slow") context.timers.set(() => !response.destroyed && serve(), fault.ms);
      else serve();
      return;
    }
    case "SubscribeEntities":
    case "SubscribeEventMessages": {
      const request = Methods[method].input.fromBinary(bytes);
      openStream(response);
      hub.openSubscriber(method === "SubscribeEntities" ? "entity" : "event", request.clause, request.world_addresses, response);
      return;
    }
    case "UpdateEntitiesSubscription":
    case "UpdateEventMessagesSubscription": {
      const request = Methods[method].input.fromBinary(bytes);
      hub.updateSubscriber(method === "UpdateEntitiesSubscription" ? "entity" : "event", request.subscription_id, request.clause, request.world_addresses);
      sendUnary(response, Methods[method], {});
      return;
    }
    case "SubscribeContracts": {
      const request = Methods.SubscribeContracts.input.fromBinary(bytes);
      openStream(response);
      hub.openContractStream(request.query?.contract_addresses ?? [], response);
      return;
    }
    case "RetrieveContracts": {
      const request = Methods.RetrieveContracts.input.fromBinary(bytes);
      const addresses = (request.query?.contract_addresses ?? []).map(fromBytes);
      const types = request.query?.contract_types ?? [];
      const address = BigInt(world.worldAddress);
      const matches = (addresses.length === 0 || addresses.includes(address)) && (types.length === 0 || types.includes(0));
      sendUnary(response, Methods.RetrieveContracts, { contracts: matches ? [worldContract(address, world.head())] : [] });
      return;
    }
    case "ExecuteSql": {
      const request = Methods.ExecuteSql.input.fromBinary(bytes);
      let rows: Record<string, unknown>[];
      try {
        rows = world.sql(request.query);
      } catch (error) {
        sendGrpcError(response, GrpcStatus.INVALID_ARGUMENT, errorMessage(error));
        return;
      }
      sendUnary(response, Methods.ExecuteSql, toSqlResponse(rows));
      return;
    }
  }
}

/** Reads a whole request body (gRPC-web requests are small and unary on the way in). */
export function readBody(request: IncomingMessage, limit = 16 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error(`request body over ${limit} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

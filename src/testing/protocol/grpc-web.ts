import { gunzipSync } from "node:zlib";

/** Frame flags of gRPC-web: bit 0 = compressed, bit 7 = trailers. */
const FLAG_COMPRESSED = 0x01;
const FLAG_TRAILERS = 0x80;

/** gRPC status codes the fake uses (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

export const GRPC_WEB_CONTENT_TYPE = "application/grpc-web+proto";

/** One length-prefixed gRPC-web data frame around an encoded message. */
export function encodeDataFrame(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/** The closing trailer frame; gRPC-web carries trailers in the body because HTTP/1.1 fetch cannot read real trailers. */
export function encodeTrailerFrame(status: number, message?: string): Buffer {
  let text = `grpc-status:${status}\r\n`;
  if (message !== undefined && message !== "") text += `grpc-message:${encodeGrpcMessage(message)}\r\n`;
  const body = Buffer.from(text, "latin1");
  const frame = Buffer.allocUnsafe(5 + body.length);
  frame[0] = FLAG_TRAILERS;
  frame.writeUInt32BE(body.length, 1);
  body.copy(frame, 5);
  return frame;
}

/** grpc-message is percent-encoded (the client decodes it back). */
export function encodeGrpcMessage(message: string): string {
  return encodeURIComponent(message);
}

/**
 * Extracts the request message from a gRPC-web body. The wasm client gzips its request frames
 * (flag 1, header `grpc-encoding: gzip`), so compressed frames must be inflated here.
 */
export function decodeRequestBody(body: Buffer): Uint8Array {
  if (body.length === 0) return new Uint8Array(0);
  if (body.length < 5) throw new Error(`gRPC-web body too short: ${body.length} bytes`);
  const flag = body[0] ?? 0;
  const length = body.readUInt32BE(1);
  if (body.length < 5 + length) throw new Error(`gRPC-web frame truncated: want ${length} bytes, have ${body.length - 5}`);
  if ((flag & FLAG_TRAILERS) !== 0) throw new Error("gRPC-web request starts with a trailer frame");
  const payload = body.subarray(5, 5 + length);
  return (flag & FLAG_COMPRESSED) !== 0 ? new Uint8Array(gunzipSync(payload)) : new Uint8Array(payload);
}

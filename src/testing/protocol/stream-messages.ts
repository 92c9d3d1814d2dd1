import type { ProtoEntity } from "./codecs";
import { encodeEntityBinary } from "./entity-encoder";

function varintLength(value: number): number {
  let length = 1;
  for (let rest = value >>> 7; rest > 0; rest >>>= 7) length += 1;
  return length;
}

function writeVarint(out: Buffer, at: number, value: number): number {
  let rest = value >>> 0;
  let i = at;
  while (rest > 0x7f) {
    out[i++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  out[i++] = rest;
  return i;
}

function writeBigVarint(out: Buffer, at: number, value: bigint): number {
  let rest = value;
  let i = at;
  while (rest > 0x7fn) {
    out[i++] = Number(rest & 0x7fn) | 0x80;
    rest >>= 7n;
  }
  out[i++] = Number(rest);
  return i;
}

function bigVarintLength(value: bigint): number {
  let length = 1;
  for (let rest = value >> 7n; rest > 0n; rest >>= 7n) length += 1;
  return length;
}

/** Encodes an entity once so a fan-out to many subscribers does not re-encode it per subscriber. */
export function encodeEntity(entity: ProtoEntity): Uint8Array {
  return encodeEntityBinary(entity);
}

/**
 * `SubscribeEntityResponse { entity = 1; subscription_id = 2 }` assembled by hand around pre-encoded entity bytes.
 * Without an entity it is the first message of a stream, the one the client waits for before its subscribe settles.
 */
export function encodeSubscribeResponse(entityBytes: Uint8Array | undefined, subscriptionId: bigint): Uint8Array {
  return encodeSubscribeFrame(entityBytes, subscriptionId).subarray(5);
}

/**
 * The same message already inside its gRPC-web data frame (flag, 4-byte length, message), in one allocation: the
 * stream path builds one of these per update and subscriber, and nothing else.
 */
export function encodeSubscribeFrame(entityBytes: Uint8Array | undefined, subscriptionId: bigint): Buffer {
  const entityLength = entityBytes?.length ?? 0;
  const head = entityBytes === undefined ? 0 : 1 + varintLength(entityLength);
  const tail = subscriptionId === 0n ? 0 : 1 + bigVarintLength(subscriptionId);
  const length = head + entityLength + tail;
  const frame = Buffer.allocUnsafe(5 + length);
  frame[0] = 0;
  frame.writeUInt32BE(length, 1);
  let at = 5;
  if (entityBytes !== undefined) {
    frame[at++] = 0x0a;
    at = writeVarint(frame, at, entityLength);
    frame.set(entityBytes, at);
    at += entityLength;
  }
  if (subscriptionId !== 0n) {
    frame[at++] = 0x10;
    if (subscriptionId <= 0xffffffffn) writeVarint(frame, at, Number(subscriptionId));
    else writeBigVarint(frame, at, subscriptionId);
  }
  return frame;
}

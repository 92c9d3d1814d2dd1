import { EntityCodec } from "./codecs";
import type { ProtoEntity } from "./codecs";

function varint(value: bigint): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest > 0x7fn) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return out;
}

/** Encodes an entity once so a fan-out to many subscribers does not re-encode it per subscriber. */
export function encodeEntity(entity: ProtoEntity): Uint8Array {
  return EntityCodec.toBinary(entity);
}

/**
 * `SubscribeEntityResponse { entity = 1; subscription_id = 2 }` assembled by hand around pre-encoded entity bytes.
 * Without an entity it is the first message of a stream, the one the client waits for before its subscribe settles.
 */
export function encodeSubscribeResponse(entityBytes: Uint8Array | undefined, subscriptionId: bigint): Uint8Array {
  const head = entityBytes === undefined ? [] : [0x0a, ...varint(BigInt(entityBytes.length))];
  const tail = subscriptionId === 0n ? [] : [0x10, ...varint(subscriptionId)];
  const out = new Uint8Array(head.length + (entityBytes?.length ?? 0) + tail.length);
  out.set(head, 0);
  if (entityBytes !== undefined) out.set(entityBytes, head.length);
  out.set(tail, head.length + (entityBytes?.length ?? 0));
  return out;
}

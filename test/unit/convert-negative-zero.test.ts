import { Type as RecsType } from "@dojoengine/recs";
import { describe, expect, it } from "vitest";
import { convertValue } from "../../src/core/writer/convert";
import { ty } from "../support/ty";

describe("value conversion: -0 in an unsigned field", () => {
  it("should store 0, never -0, for an unsigned integer sent as the number -0, as it already does for the text \"-0\"", () => {
    expect(Object.is(convertValue(RecsType.Number, ty.raw("u64", "-0"), "m.f"), 0)).toBe(true);
    expect(Object.is(convertValue(RecsType.Number, ty.u8(-0), "m.f"), 0)).toBe(true);
    expect(Object.is(convertValue(RecsType.Number, ty.u32(-0), "m.f"), 0)).toBe(true);
    // A wider type sent as a JS number (the grpc client's u64) takes the integer reader, not the u8–u32 fast path.
    expect(Object.is(convertValue(RecsType.Number, ty.raw("u64", -0), "m.f"), 0)).toBe(true);
  });
});

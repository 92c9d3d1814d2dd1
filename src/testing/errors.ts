/** Codes the testing kit throws, so a test can assert on the reason rather than the wording. */
export type FakeToriiErrorCode =
  | "FAKE_TORII_BAD_VALUE"
  | "FAKE_TORII_BAD_ENTITY"
  | "FAKE_TORII_UNKNOWN_MODEL"
  | "FAKE_TORII_UNKNOWN_ENTITY"
  | "FAKE_TORII_BAD_SCHEMA"
  | "FAKE_TORII_BAD_OPTION"
  | "FAKE_TORII_CLOSED";

/** Thrown by the fake server and its world; `code` says what went wrong, the message says what to change. */
export class FakeToriiError extends Error {
  readonly code: FakeToriiErrorCode;

  constructor(code: FakeToriiErrorCode, message: string) {
    super(message);
    this.name = "FakeToriiError";
    this.code = code;
  }
}

import { GrpcStatus } from "../protocol/grpc-web";

/** What the next Retrieve* call should suffer, consumed one call at a time. */
export type PageFault = { readonly kind: "fail"; readonly status: number; readonly message: string } | { readonly kind: "slow"; readonly ms: number };

/** Queued faults for RetrieveEntities / RetrieveEventMessages (`failNextPages`, `slowNextPages`). */
export class PageFaults {
  private failures: { remaining: number; status: number; message: string } = { remaining: 0, status: GrpcStatus.UNAVAILABLE, message: "" };
  private slow = { remaining: 0, ms: 0 };

  failNext(count: number, status: number = GrpcStatus.UNAVAILABLE, message = "fake torii: injected page failure"): void {
    this.failures = { remaining: count, status, message };
  }

  slowNext(count: number, ms: number): void {
    this.slow = { remaining: count, ms };
  }

  /** The fault for the call being served now, if any (a failure wins over a delay). */
  take(): PageFault | undefined {
    if (this.failures.remaining > 0) {
      this.failures.remaining -= 1;
      return { kind: "fail", status: this.failures.status, message: this.failures.message };
    }
    if (this.slow.remaining > 0) {
      this.slow.remaining -= 1;
      return { kind: "slow", ms: this.slow.ms };
    }
    return undefined;
  }

  reset(): void {
    this.failures.remaining = 0;
    this.slow.remaining = 0;
  }
}

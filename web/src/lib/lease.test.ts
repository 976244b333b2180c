import { describe, expect, it } from "vitest";
import { heartbeatEvery, leaseWarning, warnBelow } from "./lease";

describe("lease timing", () => {
  it("beats a third of the lease, never faster than 2 s nor slower than a minute", () => {
    expect(heartbeatEvery(1800)).toBe(60_000);
    expect(heartbeatEvery(90)).toBe(30_000);
    expect(heartbeatEvery(5)).toBe(2000);
    expect(heartbeatEvery(null)).toBe(60_000);
  });

  it("warns in the last two minutes, or the last 30% of a short lease", () => {
    expect(warnBelow(1800)).toBe(120_000);
    expect(warnBelow(60)).toBe(18_000);
    expect(leaseWarning(119_000, 1800, false)).toBe(true);
    expect(leaseWarning(121_000, 1800, false)).toBe(false);
    expect(leaseWarning(600_000, 1800, true)).toBe(true); // the server's claim:expiring
    expect(leaseWarning(0, 1800, true)).toBe(false); // over: that is a lost claim, not a warning
  });
});

import { describe, expect, it } from "vitest";
import { trend, trendLabel } from "./dashboard.svelte";

describe("trend arrows", () => {
  it("compare with the previous period", () => {
    expect(trend(12, 10)).toBe("up");
    expect(trend(8, 10)).toBe("down");
    expect(trend(10, 10)).toBe("flat");
    expect(trend(null, 10)).toBeNull();
    expect(trend(3, null)).toBeNull();
  });

  it("label the change in percent, points for rates, 'new' from zero", () => {
    expect(trendLabel(12, 10)).toBe("+20%");
    expect(trendLabel(5, 10)).toBe("−50%");
    expect(trendLabel(4, 0)).toBe("new");
    expect(trendLabel(0, 0)).toBe("±0");
    expect(trendLabel(0.8, 0.75, true)).toBe("+5 pts");
  });
});

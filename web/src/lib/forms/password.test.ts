import { describe, expect, it } from "vitest";
import { newPasswordReady, passwordsDiffer } from "./password";

describe("new password", () => {
  it("is ready at 8 characters typed the same twice", () => {
    expect(newPasswordReady("1234567", "1234567")).toBe(false);
    expect(newPasswordReady("12345678", "12345678")).toBe(true);
    expect(newPasswordReady("12345678", "12345679")).toBe(false);
  });

  it("says the two differ only once the second is being typed", () => {
    expect(passwordsDiffer("secret-pass", "")).toBe(false);
    expect(passwordsDiffer("secret-pass", "secret")).toBe(true);
    expect(passwordsDiffer("secret-pass", "secret-pass")).toBe(false);
  });
});

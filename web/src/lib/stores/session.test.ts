import { describe, expect, it } from "vitest";
import { tokenExpiry } from "./session.svelte";

const jwt = (payload: object) => `h.${btoa(JSON.stringify(payload)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}.s`;

describe("tokenExpiry", () => {
  it("reads exp from a JWT, and nothing from garbage", () => {
    expect(tokenExpiry(jwt({ sub: "u", exp: 1_900_000_000 }))).toBe(1_900_000_000);
    expect(tokenExpiry(jwt({ sub: "u" }))).toBeNull();
    expect(tokenExpiry("pk_live_key")).toBeNull();
    expect(tokenExpiry("a.%%%.c")).toBeNull();
  });
});

// /metrics is public unless METRICS_TOKEN is set; then it takes that token, and only that one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../server/src/config";
import { startTestApp, type TestApp } from "../helpers/app";
import { createOrg } from "../helpers/factories";
import { client } from "../helpers/http";

const TOKEN = "metrics-token-0123456789abcdef";
let locked: TestApp;
let open: TestApp;
beforeAll(async () => {
  [locked, open] = await Promise.all([startTestApp({ config: { METRICS_TOKEN: TOKEN } }), startTestApp()]);
});
afterAll(() => Promise.all([locked.close(), open.close()]));

const scrape = (t: TestApp, authorization?: string) => client(t.url).call("GET", "/metrics", undefined, authorization ? { authorization } : {});

describe("/metrics with METRICS_TOKEN", () => {
  it("answers 401 in the API's error shape without the token, with another one, or with a user's token", async () => {
    const { admin } = await createOrg(locked.deps);
    for (const authorization of [undefined, `Bearer ${TOKEN.slice(0, -1)}x`, `Bearer ${TOKEN}x`, "Bearer ", TOKEN, `Bearer ${admin.token}`]) {
      const r = await scrape(locked, authorization);
      expect([r.status, r.body.error?.code], String(authorization)).toEqual([401, "unauthenticated"]);
      expect(r.text).not.toContain("http_request_duration_seconds");
      expect(r.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
    }
  });

  it("answers the metrics to `Authorization: Bearer <METRICS_TOKEN>`", async () => {
    for (const authorization of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`]) {
      const r = await scrape(locked, authorization);
      expect(r.status).toBe(200);
      expect(r.text).toContain("http_request_duration_seconds");
    }
  });

  it("stays public when METRICS_TOKEN is not set", async () => {
    const r = await scrape(open);
    expect(r.status).toBe(200);
    expect(r.text).toContain("http_request_duration_seconds");
  });

  it("an empty METRICS_TOKEN is no token; a short one refuses to start", () => {
    expect(loadConfig({ METRICS_TOKEN: "" }).METRICS_TOKEN).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: TOKEN }).METRICS_TOKEN).toBe(TOKEN);
    expect(() => loadConfig({ METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN must be at least 16 characters/);
  });
});

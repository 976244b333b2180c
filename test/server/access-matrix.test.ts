import { afterAll, beforeAll, describe, expect, it } from "vitest";
import jwt from "jsonwebtoken";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { isKeyRole, keyExpected } from "./access-matrix.keys";
import { buildWorld, defaultParams, ROLES, rows, type Role, type Row, type World } from "./access-matrix.table";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const key = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;

function tokenFor(w: World, role: Role): string | undefined {
  switch (role) {
    case "anonymous":
      return undefined;
    case "forged":
      return jwt.sign({ sub: w.admin.id }, "not-the-secret", { algorithm: "HS256", issuer: "pipelines", audience: "pipelines-api", expiresIn: 600 });
    case "outsider":
      return w.other.admin.token;
    case "runsKey":
    case "readKey":
      return w.extra[role];
    default:
      return w[role].token;
  }
}

function expected(row: Row, role: Role): number {
  if (row.allow === "public") return role === "forged" ? 401 : row.ok;
  if (role === "anonymous" || role === "forged") return 401;
  if (isKeyRole(role)) return keyExpected(row, role);
  if (row.allow === "users" || row.allow.includes(role)) return row.ok;
  return row.denied?.[role] ?? (role === "outsider" ? 404 : 403);
}

function pathFor(row: Row, w: World): string {
  const values = { ...defaultParams(w), ...row.params?.(w) };
  return row.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const v = values[name];
    if (!v) throw new Error(`No value for :${name} in ${row.path}: give the row a params function`);
    return v;
  });
}

describe("access matrix", () => {
  it("has exactly one row for every registered route", () => {
    const registered = t.app.api.routes.map(key).sort();
    const tabled = rows.map(key).sort();
    expect(registered.filter((r) => !tabled.includes(r)), "routes with no row").toEqual([]);
    expect(tabled.filter((r) => !registered.includes(r)), "rows with no route").toEqual([]);
    expect(new Set(tabled).size).toBe(tabled.length);
  });

  for (const row of rows) {
    it(`${key(row)}`, async () => {
      let shared: World | undefined;
      const results: Record<string, number> = {};
      const wanted: Record<string, number> = {};
      // Allowed roles last, so a denied call always meets the resource intact.
      const order = [...ROLES].sort((a, b) => Number(expected(row, a) === row.ok) - Number(expected(row, b) === row.ok));
      for (const role of order) {
        const w = row.fresh ? await buildWorld(t.deps) : (shared ??= await buildWorld(t.deps));
        const c = client(t.url, tokenFor(w, role));
        const res = await c.call(row.method.toUpperCase(), pathFor(row, w), row.body?.(w) ?? (row.method === "get" || row.method === "delete" ? undefined : {}));
        results[role] = res.status;
        wanted[role] = expected(row, role);
        if (res.status >= 400) expect(res.body?.error?.code, `${role}: error shape`).toEqual(expect.any(String));
      }
      expect(results).toEqual(wanted);
    });
  }
});

// Hostile input over every registered route: bodies derived from the route's own
// schema with one refusable mutation (wrong types, unknown and prototype keys,
// huge strings, deep nesting, out-of-range numbers, unicode edge cases), raw
// bodies no schema accepts, hostile path ids and query values. Every answer must
// be a documented 4xx (never 5xx); a write route must refuse; and no table may
// gain or lose a row. The PRNG seed is printed: CHAOS_SEED=<seed> replays a run.
import { randomInt } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RouteSpec } from "../../server/src/http/route";
import { startTestApp, type TestApp } from "../helpers/app";
import { buildWorld, defaultParams, rows, type World } from "../server/access-matrix.table";
import { countDiff, send, tableCounts, tally, undocumented, type Answer } from "./harness/contract";
import { DEEP_MARKER, encodeLoose, freeFormPaths, HOSTILE_BODIES, HOSTILE_IDS, mutationsFor, NASTY_STRINGS, prng, sample, toJsonText, withValueAt, type Rng } from "./harness/fuzz";
import { byProfile, Recorder } from "./harness/summary";

const SEED = Number(process.env.CHAOS_SEED ?? randomInt(2 ** 31));
const CASES_PER_ROUTE = byProfile(12, 40);
const rec = new Recorder("hostile-input", "Every route refuses hostile bodies, ids and queries with a documented 4xx, never a 5xx, and writes nothing.");

let t: TestApp;
let A: World;
let B: World;
beforeAll(async () => {
  t = await startTestApp({ config: { RATE_LIMIT_PER_MIN: 1_000_000_000 }, loginPerAddressPerMinute: 1_000_000_000 });
  A = await buildWorld(t.deps);
  B = await buildWorld(t.deps);
  console.log(`hostile input: seed ${SEED} (CHAOS_SEED=${SEED} replays this run)`);
  rec.figure("seed", SEED);
});
let anyFailed = false;
beforeEach((ctx) => ctx.onTestFailed(() => void (anyFailed = true)));
afterAll(async () => {
  rec.write(!anyFailed && !rec.rec.invariants.violations.length);
  await t.close();
});

const key = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;
const paramNames = (path: string) => [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
const jsonSchema = (s: unknown) => z.toJSONSchema(s as z.ZodType, { io: "input", unrepresentable: "any" }) as Record<string, any>;

/** The ids a route's path takes in a world (the access matrix knows every route's). */
function validParams(route: RouteSpec, w: World): Record<string, string> {
  const row = rows.find((r) => key(r) === key(route));
  return { ...defaultParams(w), ...row?.params?.(w) };
}

interface Case {
  path: string;
  body?: string;
  contentType?: string;
  /** The request is invalid by construction: a write route must refuse it. */
  invalid: boolean;
  what: string[];
}

function makeCase(route: RouteSpec, rng: Rng): Case {
  const what: string[] = [];
  const write = route.method !== "get";
  let invalid = false;
  let body: string | undefined;
  let contentType: string | undefined;

  if (route.body) {
    if (rng.next() < 0.15) {
      const [name, raw] = rng.pick(HOSTILE_BODIES);
      body = raw;
      what.push(`body: ${name}`);
      invalid = true;
    } else {
      const schema = jsonSchema(route.body);
      const value = sample(schema, rng);
      const mutations = mutationsFor(value, schema, rng);
      if (mutations.length) {
        const m = rng.pick(mutations);
        body = toJsonText(m.apply(value));
        what.push(`body ${m.what}`);
        invalid = true;
      } else {
        body = toJsonText(value);
        what.push("body: schema sample");
      }
    }
  } else if (write && rng.next() < 0.3) {
    body = rng.pick(HOSTILE_BODIES)[1]; // a route without a body must ignore or refuse one
    what.push("unexpected body");
  }

  const names = paramNames(route.path);
  const valid = validParams(route, A);
  const foreign = validParams(route, B);
  const chosen: Record<string, string> = {};
  for (const n of names) {
    const r = rng.next();
    if (r < 0.45 && valid[n]) chosen[n] = encodeURIComponent(valid[n]!);
    else if (r < 0.6 && foreign[n]) {
      chosen[n] = encodeURIComponent(foreign[n]!);
      what.push(`:${n} of another org`);
      invalid = true;
    } else {
      chosen[n] = rng.pick(HOSTILE_IDS);
      what.push(`:${n}=${chosen[n]!.slice(0, 24)}`);
      invalid = true;
    }
  }
  // A write route must never meet a fully valid request here: it would write.
  if (write && !invalid && names.length) {
    const n = rng.pick(names);
    chosen[n] = rng.pick(HOSTILE_IDS);
    what.push(`:${n}=${chosen[n]!.slice(0, 24)}`);
    invalid = true;
  }
  let path = route.path.replace(/:([A-Za-z]+)/g, (_m, n: string) => chosen[n]!);

  if (route.query && rng.next() < 0.7) {
    const props = Object.keys(jsonSchema(route.query).properties ?? {});
    const qs: string[] = [];
    const k = props.length && rng.next() < 0.8 ? rng.pick(props) : rng.pick(["__proto__", "constructor", "x", "🙂"]);
    const v = rng.pick([...NASTY_STRINGS, "-1", "0", "1e309", "99999999999999999999", "201", "abc", "x".repeat(5000)]);
    qs.push(`${encodeLoose(k)}=${encodeLoose(v)}`);
    if (rng.next() < 0.2) qs.push(`${encodeLoose(k)}=2`); // a repeated key becomes an array
    path += `?${qs.join("&")}`;
    what.push(`query ${k.slice(0, 12)}=${v.slice(0, 16)}`);
  }
  // Another content type means the JSON body is not read at all: only where the path is already refused.
  if (body !== undefined && what.some((w) => w.startsWith(":")) && rng.next() < 0.1) {
    contentType = rng.pick(["text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-7", "multipart/form-data"]);
    what.push(`content-type ${contentType}`);
  }
  return { path, body, contentType, invalid, what };
}

describe("hostile input over every route", () => {
  it("answers a documented 4xx (never 5xx), refuses every invalid write, and writes nothing", async () => {
    const rng = prng(SEED);
    const failures: string[] = [];
    const statuses: Record<string, number> = {};
    const before = await tableCounts(t.deps.db);
    const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    let tried = 0;

    const judge = (route: RouteSpec, c: { path: string; invalid: boolean; what: string[] }, a: Answer) => {
      tried++;
      tally(statuses, a);
      const label = `${key(route)} ${c.path.slice(0, 80)} [${c.what.join("; ")}]`;
      if (a.status >= 500) failures.push(`${label} → ${a.status} ${a.text.slice(0, 160)}`);
      else if (a.status >= 400) {
        const why = undocumented(a);
        if (why) failures.push(`${label} → ${why}`);
      } else if (route.method !== "get" && c.invalid) failures.push(`${label} → ${a.status}: an invalid write was accepted`);
    };

    for (const route of t.app.api.routes) {
      const token = route.path.includes("/claims") ? A.contributor.token : A.admin.token;
      for (let i = 0; i < CASES_PER_ROUTE; i++) {
        const c = makeCase(route, rng);
        judge(route, c, await send(t.url, route.method, c.path, { token: route.auth === "none" ? undefined : token, body: c.body, contentType: c.contentType }));
      }
      if (route.body) {
        // Over the 1 MB limit: refused before anything reads it.
        const path = route.path.replace(/:([A-Za-z]+)/g, () => "x");
        const big = JSON.stringify({ name: "n", pad: "🙂".repeat(300_000) });
        judge(route, { path, invalid: true, what: ["1.2 MB body"] }, await send(t.url, route.method, path, { token: A.admin.token, body: big }));
      }
    }

    const after = await tableCounts(t.deps.db);
    const changed = countDiff(before, after);
    const polluted = ({} as Record<string, unknown>).polluted !== undefined || Object.getOwnPropertyNames(Object.prototype).sort().join() !== protoKeys.join();

    rec.requests({ tried, acknowledged: Object.entries(statuses).filter(([k]) => Number(k.slice(0, 3)) < 400).reduce((a, [, n]) => a + n, 0), refused: statuses });
    rec.figure("routes", t.app.api.routes.length);
    rec.figure("casesPerRoute", CASES_PER_ROUTE);
    rec.figure("answersNot4xx", failures.length);
    rec.figure("tablesChanged", changed.length);
    rec.invariants([...failures, ...changed.map((c) => `row count changed: ${c}`), ...(polluted ? ["Object.prototype was polluted"] : [])]);

    expect(failures, `seed ${SEED}`).toEqual([]);
    expect(changed, "tables whose row count changed").toEqual([]);
    expect(polluted).toBe(false);
  });

  it("a request line or headers over Node's 16 KB limit is cut off by Node itself (431), before the app", async () => {
    const a = await send(t.url, "get", `/api/projects/${"a".repeat(20_000)}`, { token: A.admin.token });
    expect(a.status).toBe(431);
    rec.note("A request line or header block over 16 KB is answered 431 by Node's HTTP parser before the app sees it (no JSON body).");
  });
});

describe("deeply nested JSON where any JSON is accepted", () => {
  it("stores it or refuses it with a 4xx, and every page that shows it still answers", async () => {
    const deep = new Recorder("hostile-deep-json", "Deeply nested JSON in fields that accept any JSON is stored or refused with a 4xx; nothing that reads it back fails.");
    const failures: string[] = [];
    const statuses: Record<string, number> = {};
    const depths = byProfile([50, 3_000, 50_000], [20, 50, 1_000, 10_000, 100_000]);
    let tried = 0;
    const probed: string[] = [];
    for (const row of rows.filter((r) => r.body && r.method !== "get")) {
      const route = t.app.api.routes.find((r) => key(r) === key(row));
      if (!route?.body) continue;
      const role = Array.isArray(row.allow) ? row.allow[0]! : "admin";
      const probe = await buildWorld(t.deps);
      const paths = freeFormPaths(row.body!(probe) as never, jsonSchema(route.body));
      if (!paths.length) continue;
      probed.push(key(row));
      for (const depth of depths) {
        for (const at of paths) {
          const w = await buildWorld(t.deps); // the call may consume its resource (a claim)
          const token = (w as unknown as Record<string, { token: string }>)[role]!.token;
          const path = row.path.replace(/:([A-Za-z]+)/g, (_m, n: string) => encodeURIComponent({ ...defaultParams(w), ...row.params?.(w) }[n]!));
          const body = toJsonText(withValueAt(row.body!(w) as never, at, DEEP_MARKER(depth)));
          const a = await send(t.url, row.method, path, { token, body });
          tried++;
          tally(statuses, a);
          const label = `${key(row)} ${at.join(".")} at depth ${depth}`;
          if (a.status >= 500) failures.push(`${label} → ${a.status} ${a.text.slice(0, 120)}`);
          else if (a.status >= 400 && undocumented(a)) failures.push(`${label} → ${undocumented(a)}`);
          // Whatever was stored must not break a page that reads it back.
          for (const read of rows.filter((r) => r.method === "get" && r.allow !== "public")) {
            const readRole = Array.isArray(read.allow) ? read.allow[0]! : "admin";
            const readToken = (w as unknown as Record<string, { token: string }>)[readRole]?.token ?? w.admin.token;
            const p = read.path.replace(/:([A-Za-z]+)/g, (_m, n: string) => encodeURIComponent({ ...defaultParams(w), ...read.params?.(w) }[n]!));
            const r = await send(t.url, "get", p, { token: readToken });
            tried++;
            if (r.status >= 500) failures.push(`after ${label}: GET ${read.path} → ${r.status} ${r.text.slice(0, 120)}`);
          }
        }
      }
    }
    deep.requests({ tried, acknowledged: Object.entries(statuses).filter(([k]) => Number(k.slice(0, 3)) < 400).reduce((a, [, n]) => a + n, 0), refused: statuses });
    deep.figure("routesProbed", probed.join(", "));
    deep.figure("depths", depths.join(", "));
    deep.invariants(failures);
    deep.write(!failures.length);
    expect(probed.length, "routes with a free-form JSON field").toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });
});

describe("hostile answers on a live claim", () => {
  it("answers 422 invalid_answers, writes nothing, and leaves the claim live", async () => {
    const w = await buildWorld(t.deps); // its contributor holds a claim on a node whose form is {ok: boolean, required}
    const path = `/api/claims/${w.extra.claimId}/submit`;
    const token = w.extra.claimToken!;
    const answers = [
      "{}", '{"ok": "true"}', '{"ok": 1}', '{"ok": null}', '{"ok": [true]}', '{"ok": {}}', '{"ok": true, "extra": 1}',
      '{"ok": true, "__proto__": {"polluted": true}}', '{"ok": true, "constructor": {"prototype": {"polluted": true}}}',
      '{"ok": true, "ok ": false}', `{"ok": true, "${"k".repeat(5000)}": 1}`, '{"\\u0000ok": true}', '{"OK": true}',
    ];
    const before = await tableCounts(t.deps.db);
    const failures: string[] = [];
    for (const a of answers) {
      const r = await send(t.url, "post", path, { token: w.contributor.token, body: `{"token": ${JSON.stringify(token)}, "answers": ${a}}` });
      rec.requests({ tried: 1, acknowledged: r.status < 300 ? 1 : 0, refused: r.status >= 300 ? { [`${r.status} ${r.body?.error?.code ?? "?"}`]: 1 } : {} });
      if (r.status !== 422 && r.status !== 400) failures.push(`answers ${a.slice(0, 60)} → ${r.status} ${r.text.slice(0, 100)}`);
      else if (undocumented(r)) failures.push(`answers ${a.slice(0, 60)} → ${undocumented(r)}`);
    }
    expect(failures).toEqual([]);
    expect(countDiff(before, await tableCounts(t.deps.db))).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The claim is still live: a right answer goes through.
    const ok = await send(t.url, "post", path, { token: w.contributor.token, body: JSON.stringify({ token, answers: { ok: true } }) });
    expect(ok.status, ok.text).toBe(201);
  });
});

describe("hostile CSV task imports", () => {
  it("refuses every malformed file with a documented 4xx and imports nothing", async () => {
    const w = await buildWorld(t.deps);
    const path = `/api/pipelines/${w.extra.pipelineId}/tasks`;
    const deepPayload = `"${deepTextQuoted(50_000)}"`;
    const files: Array<[string, string]> = [
      ["an unbalanced quote", 'q,priority\n"open,1\n'],
      ["a NUL in a field", "q\na\u0000b\n"],
      ["a payload that is not JSON", "payload\n{nope\n"],
      ["a payload that is an array", 'payload\n"[1,2]"\n'],
      ["a 50,000-deep payload", `payload\n${deepPayload}\n`],
      // (A __proto__ payload key is data, kept as sent, as in a JSON import: test/server/tasks.test.ts.)
      ["a header naming a column twice", "q,priority,q\na,1,b\n"],
      ["a priority of 1e309", "q,priority\na,1e309\n"],
      ["a priority of NaN", "q,priority\na,NaN\n"],
      ["both assignments", "q,assign_user_id,assign_type_id\na,x,y\n"],
      ["another org's user", `q,assign_user_id\na,${B.admin.id}\n`],
      ["another org's type", `q,assign_type_id\na,${B.type.id}\n`],
      ["only a header", "q\n"],
      ["10,001 rows", "q\n" + "a\n".repeat(10_001)],
      ["11 MB", "q\n" + `${"x".repeat(1_000)}\n`.repeat(11_000)],
    ];
    const before = await tableCounts(t.deps.db);
    const failures: string[] = [];
    for (const [name, csv] of files) {
      const r = await send(t.url, "post", path, { token: w.admin.token, body: csv, contentType: "text/csv" });
      rec.requests({ tried: 1, acknowledged: r.status < 300 ? 1 : 0, refused: r.status >= 300 ? { [`${r.status} ${r.body?.error?.code ?? "?"}`]: 1 } : {} });
      if (r.status < 400 || r.status >= 500) failures.push(`${name} → ${r.status} ${r.text.slice(0, 120)}`);
      else if (undocumented(r)) failures.push(`${name} → ${undocumented(r)}`);
    }
    expect(failures).toEqual([]);
    expect(countDiff(before, await tableCounts(t.deps.db))).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

/** Nested arrays as CSV-quoted JSON text (quotes doubled are not needed: arrays hold no strings). */
function deepTextQuoted(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

// Hostile inputs derived from a route's own schemas (their JSON Schema form):
// a valid-looking sample, then ONE mutation that the schema must refuse (wrong
// type, unknown key on a strict object, too long, out of range, outside the enum,
// missing, too many items, deep nesting, bad pattern). Seeded, so a failure is
// reproducible from the printed seed.
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = Record<string, any>;

export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, int, pick };
}
export type Rng = ReturnType<typeof prng>;

// Strings chosen to break things: unicode edge cases, injections, path tricks.
export const NASTY_STRINGS = [
  "", " ", "\u0000", "a\u0000b", "\uFEFF", "\u202Eevil", "🙂", "👩‍👩‍👧‍👦".repeat(50), "\uD800", "\uDFFF\uD800", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗͕",
  "' OR '1'='1' --", "'; DROP TABLE \"Task\"; --", '{"$gt": ""}', "$where", "<script>alert(1)</script>", "${7*7}", "{{7*7}}",
  "../../etc/passwd", "..%2F..%2F", "%00", "%", "null", "undefined", "NaN", "Infinity", "-0", "1e309", "0x10", "[object Object]",
  "__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "=cmd|' /C calc'!A0", "\r\nSet-Cookie: x=1", "\t\n\r",
];
export const HOSTILE_KEYS = ["__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty", "\u0000", "🙂", "$where", "a".repeat(300)];
export const NASTY_NUMBERS = [-1, 0, -0, 1.5, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, Number.MIN_VALUE, 999999999999];

/** Stands for nested arrays in a value until toJsonText writes them (JSON.stringify overflows past ~4,000 levels). */
export const DEEP_MARKER = (depth: number) => `@@deep:${depth}@@`;

/** JSON text of a value, with each DEEP_MARKER written out as nested arrays. */
export const toJsonText = (v: unknown): string =>
  JSON.stringify(v).replace(/"@@deep:(\d+)@@"/g, (_m, n: string) => deepText(Number(n)));

/** Nested arrays `depth` deep: small on the wire, deep for every recursive walker. */
export const deep = (depth: number, leaf: Json = 1): Json => JSON.parse("[".repeat(depth) + JSON.stringify(leaf) + "]".repeat(depth));
/** The same as raw JSON text (for depths JSON.stringify would choke on client-side). */
export const deepText = (depth: number, open = "[", close = "]") => open.repeat(depth) + close.repeat(depth);

const typesOf = (s: Schema): string[] | null => {
  if (!s || typeof s !== "object") return null;
  if (s.anyOf || s.oneOf) {
    const all: string[] = [];
    for (const b of s.anyOf ?? s.oneOf) {
      const t = typesOf(b);
      if (!t) return null; // a branch accepts anything
      all.push(...t);
    }
    return all;
  }
  if (s.const !== undefined) return [jsonType(s.const)];
  if (s.enum) return [...new Set((s.enum as Json[]).map(jsonType))];
  if (!s.type) return null;
  const t = Array.isArray(s.type) ? s.type : [s.type];
  return t.flatMap((x: string) => (x === "integer" ? ["integer", "number"] : [x]));
};

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** A value the schema (probably) accepts. Patterns and formats get a fitting example when known. */
export function sample(s: Schema, rng: Rng, depth = 0): Json {
  if (!s || typeof s !== "object" || depth > 8) return null;
  if (s.const !== undefined) return s.const;
  if (s.enum) return rng.pick(s.enum);
  if (s.anyOf || s.oneOf) {
    const branches = (s.anyOf ?? s.oneOf).filter((b: Schema) => b.type !== "null");
    return sample(branches.length ? rng.pick(branches) : (s.anyOf ?? s.oneOf)[0], rng, depth);
  }
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case "object": {
      const out: Record<string, Json> = {};
      const req = new Set<string>(s.required ?? []);
      for (const [k, sub] of Object.entries<Schema>(s.properties ?? {})) if (req.has(k) || rng.next() < 0.5) out[k] = sample(sub, rng, depth + 1);
      return out;
    }
    case "array": {
      const n = Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 2, 1));
      return Array.from({ length: n }, () => sample(s.items ?? {}, rng, depth + 1));
    }
    case "string":
      return sampleString(s);
    case "integer":
      return Math.max(s.minimum ?? 1, Math.min(s.maximum ?? 10, 5));
    case "number":
      return Math.max(s.minimum ?? 1, Math.min(s.maximum ?? 10, 5));
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return "x";
  }
}

function sampleString(s: Schema): string {
  const byFormat: Record<string, string> = {
    email: "someone@test.local", uri: "https://example.com/x", url: "https://example.com/x", uuid: "00000000-0000-4000-8000-000000000000",
    "date-time": "2026-01-01T00:00:00.000Z", date: "2026-01-01",
  };
  if (s.format && byFormat[s.format]) return byFormat[s.format]!;
  if (s.pattern) {
    for (const c of ["09:00", "2026-01-01", "abc", "a", "1"]) if (new RegExp(s.pattern).test(c)) return c;
  }
  const min = s.minLength ?? 1;
  return "v".repeat(Math.max(min, Math.min(s.maxLength ?? 8, 8)));
}

/** A string of exactly n code points, mixing 1-, 2- and 4-byte characters. */
export const codePoints = (n: number) => Array.from({ length: n }, (_, i) => ["é", "🙂", "x"][i % 3]).join("");

export interface Mutation {
  /** What was done, for the failure message (path and kind). */
  what: string;
  apply(root: Json): Json;
}

interface Site {
  path: Array<string | number>;
  schema: Schema;
  parent: Schema | null;
  key: string | number | null;
}

/** Every place in a sampled value, with the schema that governs it. */
function sites(value: Json, s: Schema, path: Array<string | number> = [], parent: Schema | null = null, key: string | number | null = null, out: Site[] = []): Site[] {
  out.push({ path, schema: s, parent, key });
  if (!s || typeof s !== "object") return out;
  const branch = s.anyOf ? s.anyOf.find((b: Schema) => typesOf(b)?.includes(jsonType(value))) : s;
  if (!branch) return out;
  if (value && typeof value === "object" && !Array.isArray(value) && branch.properties) {
    for (const [k, v] of Object.entries(value)) if (branch.properties[k]) sites(v, branch.properties[k], [...path, k], branch, k, out);
  } else if (Array.isArray(value) && branch.items) {
    value.forEach((v, i) => sites(v, branch.items, [...path, i], branch, i, out));
  }
  return out;
}

function setAt(root: Json, path: Array<string | number>, fn: (old: Json, parent: any, key: string | number) => void): Json {
  if (!path.length) {
    const box: any = { v: root };
    fn(root, box, "v");
    return box.v;
  }
  const copy = structuredClone(root) as any;
  let cur = copy;
  for (const p of path.slice(0, -1)) cur = cur[p];
  const last = path[path.length - 1]!;
  fn(cur[last], cur, last);
  return copy;
}

const replaceAt = (path: Array<string | number>, v: Json | (() => Json)) => (root: Json) =>
  setAt(root, path, (_o, parent, key) => {
    Object.defineProperty(parent, key, { value: typeof v === "function" ? v() : v, enumerable: true, writable: true, configurable: true });
  });

/** The mutations that make this sample invalid for its schema (each refusable by construction). */
export function mutationsFor(value: Json, schema: Schema, rng: Rng): Mutation[] {
  const out: Mutation[] = [];
  for (const site of sites(value, schema)) {
    const s = site.schema;
    const at = site.path.join(".") || "(root)";
    const types = typesOf(s);
    if (types) {
      const wrong: Array<[string, Json]> = [
        ["string", rng.pick(NASTY_STRINGS)], ["number", rng.pick(NASTY_NUMBERS)], ["boolean", false], ["null", null],
        ["array", [rng.pick(NASTY_STRINGS)]], ["object", { [rng.pick(HOSTILE_KEYS)]: { polluted: true } }],
      ];
      for (const [t, v] of wrong) {
        if (types.includes(t) || (t === "number" && types.includes("integer"))) continue;
        if (t === "number" && !Number.isInteger(v) && types.includes("integer")) continue;
        out.push({ what: `${at}: wrong type (${t})`, apply: replaceAt(site.path, v) });
      }
      if (!types.includes("array")) out.push({ what: `${at}: 10,000-deep nesting`, apply: replaceAt(site.path, DEEP_MARKER(10_000)) });
    }
    const t = s?.type;
    if (t === "object" && s.additionalProperties === false && value !== null) {
      const k = rng.pick(HOSTILE_KEYS);
      out.push({
        what: `${at}: unknown key ${JSON.stringify(k).slice(0, 20)}`,
        apply: (root) => setAt(root, site.path, (old) => {
          if (old && typeof old === "object") Object.defineProperty(old, k, { value: { polluted: true }, enumerable: true, writable: true, configurable: true });
        }),
      });
    }
    if (t === "object" && s.required?.length) {
      for (const k of s.required as string[]) {
        if (s.properties?.[k]?.default !== undefined) continue;
        out.push({ what: `${at}: missing ${k}`, apply: (root) => setAt(root, site.path, (old: any) => old && typeof old === "object" && delete old[k]) });
      }
    }
    if (t === "string") {
      if (s.maxLength !== undefined) {
        const len = rng.pick([s.maxLength + 1, s.maxLength + 1000, 200_000]);
        // zod counts code points, not UTF-16 units: `len` code points of mixed widths.
        out.push({ what: `${at}: ${len} characters (max ${s.maxLength})`, apply: replaceAt(site.path, () => codePoints(len)) });
      }
      if ((s.minLength ?? 0) > 0) out.push({ what: `${at}: empty string`, apply: replaceAt(site.path, "") });
      if (s.pattern) {
        const bad = NASTY_STRINGS.find((x) => !new RegExp(s.pattern).test(x));
        if (bad !== undefined) out.push({ what: `${at}: ${JSON.stringify(bad)} against ${s.pattern}`, apply: replaceAt(site.path, bad) });
      }
      if (s.format === "email" || s.format === "uri" || s.format === "url" || s.format === "uuid")
        out.push({ what: `${at}: not a ${s.format}`, apply: replaceAt(site.path, "not a thing 🙂 <script>") });
    }
    if ((t === "integer" || t === "number") && !s.anyOf) {
      if (s.maximum !== undefined) out.push({ what: `${at}: above ${s.maximum}`, apply: replaceAt(site.path, s.maximum + rng.pick([1, 1e6, 1e300])) });
      if (s.minimum !== undefined) out.push({ what: `${at}: below ${s.minimum}`, apply: replaceAt(site.path, s.minimum - rng.pick([1, 1e6, 1e300])) });
      if (t === "integer") out.push({ what: `${at}: not an integer`, apply: replaceAt(site.path, 1.5) });
    }
    if (s?.enum) {
      const bad = [rng.pick(NASTY_STRINGS), String(s.enum[0]).toUpperCase() + "\u0000"].find((x) => !s.enum.includes(x));
      out.push({ what: `${at}: outside the enum`, apply: replaceAt(site.path, bad ?? "nope") });
    }
    if (t === "array") {
      if (s.maxItems !== undefined && s.maxItems < 5000)
        out.push({ what: `${at}: ${s.maxItems + 1} items (max ${s.maxItems})`, apply: replaceAt(site.path, () => Array.from({ length: s.maxItems + 1 }, () => sample(s.items ?? {}, rng))) });
      if ((s.minItems ?? 0) > 0) out.push({ what: `${at}: no items`, apply: replaceAt(site.path, []) });
    }
  }
  return out;
}

/** Whole-body replacements no JSON body schema accepts (sent as raw text). */
export const HOSTILE_BODIES: Array<[string, string]> = [
  ["null", "null"],
  ["a number", "42"],
  ["a string", '"text"'],
  ["an array", "[]"],
  ["truncated JSON", '{"name": "x",'],
  ["JSON with a NUL", '{"name": "\u0000"'],
  ["1e309", '{"limit": 1e309, "name": 1e309}'],
  ["__proto__ pollution", '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'],
  ["200,000-deep array", deepText(200_000)],
  ["100,000-deep object", '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000)],
  ["duplicate keys", '{"name": "a", "name": {"__proto__": 1}}'],
];

/** A path value chosen to break routing, decoding or lookups. */
export const HOSTILE_IDS = [
  "%00", "%ED%A0%80", "%E0%A4%A", "%", "%25", "__proto__", "constructor", "prototype", "..%2F..%2Fetc%2Fpasswd", "NaN", "-1", "1e309",
  "' OR 1=1 --", "%F0%9F%99%82", "null", encodeURIComponent("a".repeat(101)), encodeURIComponent("🙂".repeat(300)), "%20", "%0D%0ASet-Cookie:%20x=1",
];

/** encodeURIComponent, except that lone surrogates become raw invalid UTF-8 (%ED%A0%80) instead of throwing. */
export function encodeLoose(s: string): string {
  return s.replace(/[\uD800-\uDFFF]/g, "\u0001").split("\u0001").map(encodeURIComponent).join("%ED%A0%80");
}

/**
 * Paths in a valid body where the schema accepts any JSON (task payloads, run
 * input/output/trace, free-form answers): deep nesting there passes validation
 * and reaches everything that walks the value afterwards.
 */
export function freeFormPaths(value: Json, s: Schema, path: Array<string | number> = []): Array<Array<string | number>> {
  if (!s || typeof s !== "object") return [];
  if (typesOf(s) === null) return [path];
  const branch = s.anyOf ? s.anyOf.find((b: Schema) => typesOf(b)?.includes(jsonType(value))) : s;
  if (!branch) return [];
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const extra = branch.additionalProperties;
    // A record of anything: the deep value goes in under a new key (the record itself must stay an object).
    if (extra && typeof extra === "object" && typesOf(extra) === null && !branch.properties) return [[...path, "deep"]];
    return Object.entries(value).flatMap(([k, v]) => (branch.properties?.[k] ? freeFormPaths(v, branch.properties[k], [...path, k]) : []));
  }
  if (Array.isArray(value) && branch.items) return value.flatMap((v, i) => freeFormPaths(v, branch.items, [...path, i]));
  return [];
}

/** The body with the value at `path` replaced (a DEEP_MARKER is written out by toJsonText). */
export function withValueAt(root: Json, path: Array<string | number>, v: Json): Json {
  return replaceAt(path, v)(root);
}

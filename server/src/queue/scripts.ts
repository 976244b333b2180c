// The Lua scripts of lua/, one per file named <name>-<numberOfKeys>.lua, each
// opening with its contract (KEYS, ARGV, return codes). Registered on a Redis
// connection with defineCommand (EVALSHA, EVAL again after NOSCRIPT).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Redis } from "ioredis";

const DIR = path.join(import.meta.dirname, "lua");

export type ScriptName =
  | "available"
  | "claim"
  | "claim-undo"
  | "settle"
  | "settle-claim"
  | "enqueue"
  | "place"
  | "extend"
  | "due-warnings"
  | "due-expiries"
  | "lock-renew"
  | "lock-release";

interface Script {
  command: string;
  numberOfKeys: number;
  lua: string;
}

/**
 * A line `--- @include <file> as <name>` becomes that script as a local function
 * <name>(KEYS, ARGV) (its own KEYS and ARGV shadow the caller's), so a script
 * made of others reuses them unchanged, as BullMQ's includes do.
 */
function expand(lua: string): string {
  return lua.replace(/^--- @include (\S+\.lua) as (\w+)$/gm, (_, file: string, name: string) => {
    const body = readFileSync(path.join(DIR, file), "utf8");
    return `local function ${name}(KEYS, ARGV)\n${body}\nend`;
  });
}

const SCRIPTS = new Map<string, Script>();
for (const file of readdirSync(DIR).filter((f) => f.endsWith(".lua"))) {
  const m = /^(.+)-(\d+)\.lua$/.exec(file);
  if (!m) throw new Error(`Lua script ${file} must be named <name>-<numberOfKeys>.lua`);
  SCRIPTS.set(m[1]!, { command: `pl_${m[1]!.replace(/-/g, "_")}`, numberOfKeys: Number(m[2]), lua: expand(readFileSync(path.join(DIR, file), "utf8")) });
}

const defined = new WeakSet<Redis>();

function define(redis: Redis): void {
  if (defined.has(redis)) return;
  for (const s of SCRIPTS.values()) redis.defineCommand(s.command, { numberOfKeys: s.numberOfKeys, lua: s.lua });
  defined.add(redis);
}

/** Runs one script. Every key must carry the same hash tag (one Cluster slot). */
export async function runScript<T = unknown>(redis: Redis, name: ScriptName, keys: readonly string[], args: Array<string | number>): Promise<T> {
  const s = SCRIPTS.get(name);
  if (!s) throw new Error(`No Lua script named ${name}`);
  if (keys.length !== s.numberOfKeys) throw new Error(`${name} takes ${s.numberOfKeys} keys, got ${keys.length}`);
  checkSlot(name, keys);
  define(redis);
  batchWrites(redis);
  const fn = (redis as unknown as Record<string, (...a: Array<string | number>) => Promise<T>>)[s.command]!;
  return fn.call(redis, ...keys, ...args);
}

interface Corkable {
  cork(): void;
  uncork(): void;
}
const corked = new WeakSet<Corkable>();

/**
 * Scripts sent in the same tick leave in one socket write (one writev) instead
 * of one write syscall each: the connection is corked until the end of the
 * tick, as ioredis's auto-pipelining does. Same commands, same order, same
 * connection; each still gets its own reply. One write per call was ~40% of
 * the claim path's CPU in P1's profile (100 concurrent claims).
 */
function batchWrites(redis: Redis): void {
  const stream = (redis as unknown as { stream?: Partial<Corkable> }).stream;
  if (redis.status !== "ready" || !stream || typeof stream.cork !== "function" || typeof stream.uncork !== "function") return;
  const s = stream as Corkable;
  if (corked.has(s)) return;
  corked.add(s);
  s.cork();
  process.nextTick(() => {
    corked.delete(s);
    s.uncork();
  });
}

/** The hash tag of a key ({...}), as Redis Cluster reads it. */
export function tagOf(key: string): string | null {
  const open = key.indexOf("{");
  if (open < 0) return null;
  const close = key.indexOf("}", open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : null;
}

// Frozen key arrays (keys.ts's cached ones) are checked once.
const checked = new WeakSet<readonly string[]>();

function checkSlot(name: string, keys: readonly string[]): void {
  if (checked.has(keys)) return;
  crossSlot(name, keys);
  if (Object.isFrozen(keys)) checked.add(keys);
}

function crossSlot(name: string, keys: readonly string[]): void {
  const first = keys[0]!;
  const tag = tagOf(first);
  // A key that starts with the first key's text up to its tag's closing brace
  // has the same tag: only the others need parsing.
  const prefix = tag === null ? null : first.slice(0, first.indexOf("}", first.indexOf("{") + 1) + 1);
  for (const k of keys) {
    if (prefix !== null && k.startsWith(prefix)) continue;
    if (tagOf(k) !== tag) throw new Error(`Script ${name} would cross Cluster slots: ${first} and ${k}`);
  }
}

export const scriptNames = () => [...SCRIPTS.keys()];

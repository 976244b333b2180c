// Request bodies may nest at most MAX_JSON_DEPTH levels. JSON.parse accepts
// hundreds of thousands of levels, but everything that walks the value later
// (JSON.stringify when storing it, the answer that shows it) recurses and runs
// out of stack past a few thousand: a 50,000-deep task payload answered 500
// (found by test/chaos/hostile-input.test.ts). Measured without recursion.
// Text must also be well-formed UTF-16: JSON may escape half a surrogate pair
// ("\ud800"), which PostgreSQL refuses mid-write (500 before this check).
import type { RequestHandler } from "express";
import { invalidRequest } from "./errors";

export const MAX_JSON_DEPTH = 100;

/** The nesting depth of a parsed JSON value (a scalar is 0, [] or {} is 1). */
export function jsonDepth(value: unknown, stopAt = Infinity): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > stopAt) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === "object") stack.push([child, depth]);
  }
  return max;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether any string of a parsed JSON value, keys included, holds a lone surrogate. */
export function hasLoneSurrogate(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (LONE_SURROGATE.test(v)) return true;
    } else if (v !== null && typeof v === "object") {
      if (Array.isArray(v)) for (const child of v) stack.push(child);
      else for (const [k, child] of Object.entries(v)) stack.push(k, child);
    }
  }
  return false;
}

export const limitJsonDepth: RequestHandler = (req, _res, next) => {
  if (req.body && typeof req.body === "object" && jsonDepth(req.body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
    return next(invalidRequest(`The body nests deeper than ${MAX_JSON_DEPTH} levels.`));
  if (req.body && typeof req.body === "object" && hasLoneSurrogate(req.body))
    return next(invalidRequest("Text must be valid Unicode: the body holds half of a UTF-16 surrogate pair (such as \\ud800)."));
  next();
};

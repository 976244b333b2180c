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

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * One walk of a parsed body: "deep" past `maxDepth` levels of nesting (a scalar
 * is 0, [] or {} is 1), "surrogate" when a string or key holds half a pair.
 */
export function jsonProblem(value: unknown, maxDepth: number): "deep" | "surrogate" | null {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v === "string") {
      if (LONE_SURROGATE.test(v)) return "surrogate";
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    if (d + 1 > maxDepth) return "deep";
    if (Array.isArray(v)) for (const child of v) stack.push([child, d + 1]);
    else
      for (const [k, child] of Object.entries(v)) {
        if (LONE_SURROGATE.test(k)) return "surrogate";
        stack.push([child, d + 1]);
      }
  }
  return null;
}

export const limitJsonDepth: RequestHandler = (req, _res, next) => {
  const problem = req.body && typeof req.body === "object" ? jsonProblem(req.body, MAX_JSON_DEPTH) : null;
  if (problem === "deep") return next(invalidRequest(`The body nests deeper than ${MAX_JSON_DEPTH} levels.`));
  if (problem === "surrogate")
    return next(invalidRequest("Text must be valid Unicode: the body holds half of a UTF-16 surrogate pair (such as \\ud800)."));
  next();
};

// Which endpoints this server has, read once from its OpenAPI document: lets the
// client use an optional route without probing it (a 404 probe is a console error).
import { api } from "./client";

let paths: Promise<Set<string>> | null = null;

export function hasRoute(method: string, path: string): Promise<boolean> {
  paths ??= api
    .get<{ paths: Record<string, Record<string, unknown>> }>("/api/openapi.json")
    .then((doc) => new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`))))
    .catch(() => {
      paths = null;
      return new Set<string>();
    });
  return paths.then((set) => set.has(`${method.toLowerCase()} ${path}`));
}

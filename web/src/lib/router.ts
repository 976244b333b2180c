// Route matching as pure functions: a pattern like "/projects/:projectId/tasks"
// against a path. The reactive part (current location, navigate) is in
// location.svelte.ts.

export type Params = Record<string, string>;

export interface Match<R> {
  route: R;
  params: Params;
}

export function matchPath(pattern: string, path: string): Params | null {
  const want = split(pattern);
  const got = split(path);
  // A trailing "*" matches whatever is left (the not-found page).
  if (want[want.length - 1] === "*") {
    if (got.length < want.length - 1) return null;
    return matchPath("/" + want.slice(0, -1).join("/"), "/" + got.slice(0, want.length - 1).join("/"));
  }
  if (want.length !== got.length) return null;
  const params: Params = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(":")) {
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return null;
      }
    } else if (w !== g) return null;
  }
  return params;
}

export function firstMatch<R extends { path: string }>(routes: R[], path: string): Match<R> | null {
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (params) return { route, params };
  }
  return null;
}

const split = (p: string) => p.split("?")[0]!.split("/").filter(Boolean);

/** True when a click on a link should stay in the app (same origin, plain left click). */
export function isInAppClick(e: MouseEvent, a: HTMLAnchorElement, origin: string): boolean {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return false;
  if (a.target && a.target !== "_self") return false;
  if (a.hasAttribute("download") || a.getAttribute("rel") === "external") return false;
  const href = a.getAttribute("href");
  if (!href || href.startsWith("#")) return false;
  const url = new URL(href, origin);
  return url.origin === origin && !url.pathname.startsWith("/api/");
}

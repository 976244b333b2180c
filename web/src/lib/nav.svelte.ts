// The current location as reactive state (history routing: the server answers
// every non-API path with the SPA). navigate() pushes; links are intercepted
// once in App.svelte.
import { isInAppClick } from "./router";

class Navigation {
  path = $state(window.location.pathname);
  search = $state(window.location.search);

  constructor() {
    window.addEventListener("popstate", () => this.sync());
  }

  get query(): URLSearchParams {
    return new URLSearchParams(this.search);
  }

  navigate(to: string, opts: { replace?: boolean } = {}) {
    const url = new URL(to, window.location.origin);
    const target = url.pathname + url.search;
    if (target === window.location.pathname + window.location.search) return;
    if (opts.replace) history.replaceState(null, "", target);
    else history.pushState(null, "", target);
    this.sync();
    if (!opts.replace) window.scrollTo?.(0, 0);
  }

  /** Replaces the query string (filters) without a new history entry. */
  setQuery(values: Record<string, string | null | undefined>) {
    const q = this.query;
    for (const [k, v] of Object.entries(values)) {
      if (v === null || v === undefined || v === "") q.delete(k);
      else q.set(k, v);
    }
    const s = q.toString();
    this.navigate(this.path + (s ? `?${s}` : ""), { replace: true });
  }

  /** Installed once: plain clicks on same-origin links navigate in place. */
  interceptLinks(root: Document = document) {
    const onClick = (e: MouseEvent) => {
      const a = (e.target as Element | null)?.closest?.("a");
      if (!a || !isInAppClick(e, a, window.location.origin)) return;
      e.preventDefault();
      this.navigate(a.getAttribute("href")!);
    };
    root.addEventListener("click", onClick);
    return () => root.removeEventListener("click", onClick);
  }

  private sync() {
    this.path = window.location.pathname;
    this.search = window.location.search;
  }
}

export const nav = new Navigation();

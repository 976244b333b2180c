// Which organization the admin pages are about: the one in the path when there
// is one, else the last one chosen, else the first the account belongs to.
import { session } from "./session.svelte";

const KEY = "pipelines.org";

class OrgContext {
  private chosen = $state<string | null>(typeof localStorage !== "undefined" ? localStorage.getItem(KEY) : null);

  get currentId(): string | null {
    const orgs = session.me?.orgs ?? [];
    if (this.chosen && orgs.some((o) => o.id === this.chosen)) return this.chosen;
    return orgs[0]?.id ?? null;
  }

  get current() {
    return session.me?.orgs.find((o) => o.id === this.currentId) ?? null;
  }

  choose(orgId: string) {
    if (orgId === this.chosen) return;
    this.chosen = orgId;
    localStorage.setItem(KEY, orgId);
  }
}

export const orgContext = new OrgContext();

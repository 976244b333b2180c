// Signs a person in for the page or store under test, as the session store holds
// them after /api/me: a contributor with no org or project unless `more` says.
import type { Me } from "../api/types";
import { session } from "../stores/session.svelte";

export function signIn(id: string, more: Partial<Me> = {}): void {
  session.me = { user: { id, email: `${id}@x.test`, name: id }, orgs: [], projects: [], personas: ["contributor"], ...more } as Me;
}

// The persona on screen (admin or contributor). The choice persists per account
// in localStorage; the rules are in ../persona.ts.
import type { Persona } from "../api/types";
import { canSwitchPersona, resolvePersona } from "../persona";
import { session } from "./session.svelte";

const key = (userId: string) => `pipelines.persona.${userId}`;

class PersonaStore {
  /** Choices made in this tab, by user id (localStorage covers earlier visits). */
  private chosen = $state<Record<string, string>>({});

  get current(): Persona | null {
    const me = session.me;
    if (!me) return null;
    const stored = this.chosen[me.user.id] ?? localStorage.getItem(key(me.user.id));
    return resolvePersona(me.personas, stored);
  }

  get canSwitch() {
    return !!session.me && canSwitchPersona(session.me.personas);
  }

  set(p: Persona) {
    const me = session.me;
    if (!me || !me.personas.includes(p)) return;
    this.chosen[me.user.id] = p;
    localStorage.setItem(key(me.user.id), p);
  }
}

export const persona = new PersonaStore();

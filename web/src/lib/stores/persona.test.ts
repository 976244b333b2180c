import { afterEach, describe, expect, it } from "vitest";
import type { Me } from "../api/types";
import { persona } from "./persona.svelte";
import { session } from "./session.svelte";

const me = (personas: Me["personas"]): Me => ({ user: { id: "u-" + personas.join("-"), email: "a@x.test", name: "A" }, orgs: [], projects: [], personas });

afterEach(() => {
  session.me = null;
  localStorage.clear();
});

describe("persona store", () => {
  it("remembers the chosen persona per account across visits", () => {
    session.me = me(["admin", "contributor"]);
    expect(persona.current).toBe("admin");
    expect(persona.canSwitch).toBe(true);
    persona.set("contributor");
    expect(persona.current).toBe("contributor");
    expect(localStorage.getItem("pipelines.persona.u-admin-contributor")).toBe("contributor");
  });

  it("ignores a persona the account does not have", () => {
    session.me = me(["contributor"]);
    persona.set("admin");
    expect(persona.current).toBe("contributor");
    expect(persona.canSwitch).toBe(false);
  });

  it("drops a stored choice once the role is gone", () => {
    localStorage.setItem("pipelines.persona.u-admin", "contributor");
    session.me = me(["admin"]);
    expect(persona.current).toBe("admin");
  });
});

import { describe, expect, it } from "vitest";
import { permissionsText, scopeText } from "./api-keys";

describe("API key descriptions", () => {
  it("names an org key's reach and a project key's project and permissions", () => {
    expect(scopeText({ scope: "org", projectId: null, permissions: null })).toBe("Organization: its maker's rights");
    const k = { scope: "project" as const, projectId: "p1", permissions: ["read" as const, "runs:write" as const] };
    expect(scopeText(k, new Map([["p1", "Support bot"]]))).toBe("Project Support bot: Read, Send runs");
    expect(scopeText(k)).toBe("Project: Read, Send runs");
    expect(permissionsText({ permissions: ["runs:write"] })).toBe("Send runs");
  });
});

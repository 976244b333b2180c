// The invitation page asks what the link is for: a new account chooses a
// password (twice), an existing one (from another organization) gives its own.
import { cleanup, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { nav } from "$lib/nav.svelte";
import { apiServer } from "$lib/testing/api-server";
import AcceptInvite from "./AcceptInvite.svelte";

apiServer((req, send) => {
  const existing = req.url === "/api/auth/invitations/existing-account-token";
  const fresh = req.url === "/api/auth/invitations/brand-new-account-token";
  if (existing || fresh) return send(200, { orgName: "Acme", email: "ada@acme.test", hasAccount: existing, expiresAt: "2030-01-01T00:00:00Z" });
  send(400, { error: { code: "invalid_request", message: "This invitation link is not valid, was already used, or has expired." } });
});
afterEach(() => cleanup());

const openWith = (token: string) => {
  nav.navigate(`/accept-invite?token=${token}`, { replace: true });
  render(AcceptInvite, { params: {} });
};

describe("AcceptInvite", () => {
  it("asks an existing account for its own password, once, to join the organization", async () => {
    openWith("existing-account-token");
    await screen.findByText(/Enter its password to join/);
    expect(screen.getByRole("heading", { name: "Join Acme" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Join Acme" })).toBeTruthy();
    expect(screen.queryByLabelText("Repeat the password")).toBeNull();
    expect(screen.queryByLabelText(/Your name/)).toBeNull();
  });

  it("has a new account choose a password, twice", async () => {
    openWith("brand-new-account-token");
    await screen.findByText(/Choose a password/);
    expect(screen.getByLabelText("Repeat the password")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Set password and sign in" })).toBeTruthy();
  });

  it("says when the link is no good", async () => {
    openWith("used-up-token-value");
    await screen.findByText(/not valid, was already used, or has expired/);
  });
});

import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import type { Persona } from "$lib/api/types";
import UserMenu from "./UserMenu.svelte";

function open(personas: Persona[], current: Persona = personas[0]!) {
  const calls: string[] = [];
  render(UserMenu, {
    name: "Ada Admin",
    email: "ada@x.test",
    personas,
    current,
    notificationPermission: "granted",
    onswitch: (p: Persona) => calls.push(`switch:${p}`),
    onnotifications: () => calls.push("notifications"),
    onaccount: () => calls.push("account"),
    onlogout: () => calls.push("logout"),
    onlogouteverywhere: () => calls.push("everywhere"),
  });
  return calls;
}

afterEach(cleanup);

describe("UserMenu", () => {
  it("offers the persona switch to an account with both roles", async () => {
    const calls = open(["admin", "contributor"], "admin");
    await fireEvent.click(screen.getByRole("button", { name: /Ada Admin/ }));
    await fireEvent.click(screen.getByRole("menuitem", { name: "Switch to Contributor" }));
    expect(calls).toEqual(["switch:contributor"]);
  });

  it("never shows the switch to an account with one kind of role", async () => {
    open(["contributor"]);
    await fireEvent.click(screen.getByRole("button", { name: /Ada Admin/ }));
    expect(screen.queryByRole("menuitem", { name: /Switch to/ })).toBeNull();
    expect(screen.getByRole("menuitem", { name: "Sign out" })).toBeTruthy();
  });

  it("offers the password change and signing out everywhere", async () => {
    const calls = open(["contributor"]);
    await fireEvent.click(screen.getByRole("button", { name: /Ada Admin/ }));
    await fireEvent.click(screen.getByRole("menuitem", { name: "Change password" }));
    await fireEvent.click(screen.getByRole("button", { name: /Ada Admin/ }));
    await fireEvent.click(screen.getByRole("menuitem", { name: "Sign out everywhere" }));
    expect(calls).toEqual(["account", "everywhere"]);
  });

  it("opens and closes from the keyboard", async () => {
    open(["admin", "contributor"], "contributor");
    const button = screen.getByRole("button", { name: /Ada Admin/ });
    await fireEvent.click(button);
    expect(button.getAttribute("aria-expanded")).toBe("true");
    await fireEvent.keyDown(screen.getByRole("menu"), { key: "Escape" });
    expect(screen.queryByRole("menu")).toBeNull();
    expect(button.getAttribute("aria-expanded")).toBe("false");
  });
});

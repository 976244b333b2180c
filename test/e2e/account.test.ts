// Passwords in a real browser: changing one's own from the account menu (the tab goes on
// with the fresh token, a session elsewhere is signed out at once), and an Org Admin's
// one-time reset link, shown once on the People page and used on the reset page.
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { addOrgMember, createOrg, FACTORY_PASSWORD } from "../helpers/factories";
import { launchBrowser, openTab, screenshot, shotsOnFailure, startE2eApp, type Tab } from "./browser";

let t: TestApp;
let browser: Browser;
const tabs: Tab[] = [];

beforeAll(async () => {
  t = await startE2eApp();
  browser = await launchBrowser();
});

afterEach((ctx) => shotsOnFailure(ctx, tabs));

afterAll(async () => {
  for (const tab of tabs) expect(tab.errors).toEqual([]);
  await browser?.close();
  await t?.close();
});

async function open(token: string | undefined, path: string) {
  const tab = await openTab(browser, t.url, path, { token });
  tabs.push(tab);
  return tab;
}

const ENDED = "Your session ended. Sign in again to continue.";

describe("change password", () => {
  it("keeps this tab signed in with the fresh token and signs the account out elsewhere", async () => {
    const { org } = await createOrg(t.deps);
    const ada = await addOrgMember(t.deps, org.id, "member", "Ada Lovelace");
    // Signed in through the form here (so a reload reads what the app stored), and in another browser too.
    const here = await open(undefined, "/login");
    await here.page.getByLabel("Email").fill(ada.email);
    await here.page.getByLabel("Password").fill(FACTORY_PASSWORD);
    await here.page.getByRole("button", { name: "Sign in" }).click();
    const elsewhere = await open(ada.token, "/inbox");
    for (const tab of [here, elsewhere]) await tab.page.getByText("Live updates on").waitFor({ state: "attached" });

    await here.page.locator("button.account").click();
    await here.page.getByRole("menuitem", { name: "Change password" }).click();
    await here.page.waitForURL(/\/account$/);
    await here.page.getByRole("heading", { name: "Change password" }).waitFor();
    await here.page.getByLabel("Current password").fill("not-my-password");
    await here.page.getByLabel("New password", { exact: true }).fill("correct-horse-battery");
    await here.page.getByLabel("Repeat the password").fill("correct-horse-battery");
    await here.page.getByRole("button", { name: "Change password" }).click();
    await here.page.getByText("This is not your current password").waitFor();
    expect(here.page.url()).toMatch(/\/account$/);
    // The browser logs the refused request; that one is expected.
    expect(here.errors).toEqual([expect.stringContaining("status of 400")]);
    here.errors.length = 0;

    await here.page.getByLabel("Current password").fill(FACTORY_PASSWORD);
    await here.page.getByRole("button", { name: "Change password" }).click();
    await here.page.getByTestId("toast").filter({ hasText: "Password changed" }).waitFor();
    await screenshot(here.page, "account-password-changed");

    // The other session ends at once: its live connection is told.
    await elsewhere.page.waitForURL(/\/login/);
    await elsewhere.page.getByText(ENDED).waitFor();

    // This tab goes on with the fresh token, stored for a reload, its live connection back.
    expect(here.page.url()).toMatch(/\/account$/);
    const stored = await here.page.evaluate(() => localStorage.getItem("pipelines.token") ?? "");
    expect(JSON.parse(Buffer.from(stored.split(".")[1]!, "base64url").toString()).sv).toBe(1);
    await here.page.reload();
    await here.page.getByRole("heading", { name: "Your account" }).waitFor();
    await here.page.getByText("Live updates on").waitFor({ state: "attached" });

    await elsewhere.page.getByLabel("Email").fill(ada.email);
    await elsewhere.page.getByLabel("Password").fill(FACTORY_PASSWORD);
    await elsewhere.page.getByRole("button", { name: "Sign in" }).click();
    await elsewhere.page.getByRole("alert").filter({ hasText: "Email or password is not right." }).waitFor();
    expect(elsewhere.errors).toEqual([expect.stringContaining("status of 401")]);
    elsewhere.errors.length = 0;
    await elsewhere.page.getByLabel("Password").fill("correct-horse-battery");
    await elsewhere.page.getByRole("button", { name: "Sign in" }).click();
    await elsewhere.page.waitForURL((u) => !u.pathname.startsWith("/login"));
  });
});

describe("an Org Admin's reset link", () => {
  it("is shown once on the People page; the holder sets a password and the account's old sessions end", async () => {
    const { org, admin } = await createOrg(t.deps);
    const bob = await addOrgMember(t.deps, org.id, "member", "Bob Forgetful");
    const old = await open(bob.token, "/inbox");
    await old.page.getByText("Live updates on").waitFor({ state: "attached" });

    const people = await open(admin.token, `/orgs/${org.id}/people`);
    await people.page.getByRole("button", { name: "Reset link for Bob Forgetful" }).click();
    await people.page.getByRole("button", { name: "Make the link" }).click();
    const field = people.page.getByLabel("Password reset link");
    await field.waitFor();
    const url = new URL(await field.inputValue());
    expect(url.pathname + url.search).toMatch(/^\/reset-password\?token=[\w-]{40,}$/);
    await screenshot(people.page, "people-reset-link");
    await people.page.getByRole("button", { name: "Done" }).click();
    // Shown once: opening the dialog again offers a new link, not the last one.
    await people.page.getByRole("button", { name: "Reset link for Bob Forgetful" }).click();
    await people.page.getByRole("button", { name: "Make the link" }).waitFor();
    expect(await people.page.getByLabel("Password reset link").count()).toBe(0);
    await people.page.getByRole("button", { name: "Cancel" }).click();
    // No reset link for oneself: that is the account page's password change.
    expect(await people.page.getByRole("button", { name: `Reset link for ${admin.name}` }).count()).toBe(0);

    const holder = await open(undefined, url.pathname + url.search);
    await holder.page.getByRole("heading", { name: "Choose a new password" }).waitFor();
    await holder.page.getByText(bob.email).waitFor();
    await holder.page.getByLabel("New password", { exact: true }).fill("a-fresh-start-42");
    await holder.page.getByLabel("Repeat the password").fill("a-fresh-start-42");
    await holder.page.getByRole("button", { name: "Set password and sign in" }).click();
    await holder.page.waitForURL((u) => !u.pathname.startsWith("/reset-password"));
    await holder.page.locator("button.account").filter({ hasText: "Bob Forgetful" }).waitFor();

    await old.page.waitForURL(/\/login/);
    await old.page.getByText(ENDED).waitFor();

    const again = await open(undefined, url.pathname + url.search);
    await again.page.getByRole("alert").filter({ hasText: "not valid, was already used, or has expired" }).waitFor();
    expect(again.errors).toEqual([expect.stringContaining("status of 400")]);
    again.errors.length = 0;
  });
});

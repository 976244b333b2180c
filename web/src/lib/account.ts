// "Sign out everywhere", from the account menu and the account page: asked once, then
// every session of the account ends (this one too) and the sign-in page says so.
import { errorMessage } from "./api/client";
import { nav } from "./nav.svelte";
import { session } from "./stores/session.svelte";
import { toasts } from "./stores/toasts.svelte";

export async function signOutEverywhere(): Promise<void> {
  if (!window.confirm("Sign out of every browser and device, this one included?")) return;
  try {
    await session.signOutEverywhere();
    nav.navigate("/login", { replace: true });
  } catch (err) {
    toasts.error("Could not sign out everywhere", errorMessage(err));
  }
}

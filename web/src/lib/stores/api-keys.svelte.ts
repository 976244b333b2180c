// The API keys of one key page, the org's or a project's (by their route): listed,
// made (the new key kept until dismissed: its secret is shown this once only) and
// revoked. The pages differ only in what a new key is given and how its reach is said.
import { api, errorMessage } from "../api/client";
import type { ApiKey, KeyPermission, Page } from "../api/types";
import { Resource, allPages } from "../resource.svelte";
import { toasts } from "./toasts.svelte";

export class ApiKeyList {
  readonly keys: Resource<ApiKey[]>;
  /** The name typed for the next key. */
  name = $state("");
  /** The key just made, with its secret, until the page dismisses it. */
  created = $state<ApiKey | null>(null);
  busy = $state(false);
  /** Why the last key could not be made. */
  error = $state<string | null>(null);

  constructor(private readonly base: string) {
    this.keys = new Resource(() => allPages<ApiKey>((cursor) => api.get<Page<ApiKey>>(base, { limit: 200, cursor })));
  }

  /** Makes a key with the name typed (a project key: and its permissions). */
  async create(more: { permissions?: KeyPermission[] } = {}): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      this.created = await api.post<ApiKey>(this.base, { name: this.name.trim(), ...more });
      this.name = "";
      await this.keys.reload();
    } catch (err) {
      this.error = errorMessage(err);
    } finally {
      this.busy = false;
    }
  }

  async revoke(k: ApiKey): Promise<void> {
    if (!confirm(`Revoke "${k.name}"? Anything using it stops working at once.`)) return;
    try {
      await api.del(`${this.base}/${k.id}`);
      toasts.success("Key revoked");
      await this.keys.reload();
    } catch (err) {
      toasts.error("Could not revoke", errorMessage(err));
    }
  }
}

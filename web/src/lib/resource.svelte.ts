// A value loaded from the API, with loading and error state, reloadable.
// Pages create one per list they show.
import { errorMessage } from "./api/client";

export class Resource<T> {
  data = $state<T | null>(null);
  loading = $state(true);
  error = $state<string | null>(null);
  private seq = 0;

  constructor(private readonly fetcher: () => Promise<T>, start = true) {
    if (start) void this.reload();
  }

  async reload(): Promise<void> {
    const seq = ++this.seq;
    this.loading = true;
    try {
      const v = await this.fetcher();
      if (seq === this.seq) {
        this.data = v;
        this.error = null;
      }
    } catch (err) {
      if (seq === this.seq) this.error = errorMessage(err);
    } finally {
      if (seq === this.seq) this.loading = false;
    }
  }
}

/** Every page of a cursor list, for the small lists of admin pages. */
export async function allPages<T>(get: (cursor?: string) => Promise<{ items: T[]; nextCursor: string | null }>, max = 20): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < max; i++) {
    const page = await get(cursor);
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

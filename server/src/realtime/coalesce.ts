// Coalescing for state that changes faster than anyone can watch it (queue
// counts, dashboard counters): callers mark keys dirty; the flush reads the
// *current* state for those keys, so the latest value always wins and a burst of
// a thousand claims costs one read and one message per watcher.
//
// Pacing uses the monotonic performance clock: it decides only *when* to look
// again, never anything about the domain (that time comes from deps.clock).

/** Runs async jobs one after another: a later read is never delivered before an earlier one. */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.tail.then(job, job);
    this.tail = next.catch(() => {});
    return next;
  }
}

/**
 * Leading and trailing throttle over a set of dirty keys: the first mark after a
 * quiet spell flushes on the next turn of the loop (low latency when idle); while
 * busy, flushes run at most once per `intervalMs`, each taking every key marked
 * since the previous one.
 */
export class Coalescer {
  private dirty = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private lastFlush = -Infinity;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly flush: (keys: Set<string>) => Promise<void>,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  mark(key: string): void {
    if (this.stopped) return;
    this.dirty.add(key);
    this.schedule();
  }

  get pending(): number {
    return this.dirty.size;
  }

  private schedule(): void {
    if (this.timer || this.running || this.dirty.size === 0) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - performance.now());
    this.timer = setTimeout(() => void this.run(), wait);
    this.timer.unref?.();
  }

  private async run(): Promise<void> {
    this.timer = null;
    const keys = this.dirty;
    this.dirty = new Set();
    this.running = true;
    this.lastFlush = performance.now();
    try {
      await this.flush(keys);
    } catch (err) {
      this.onError(err);
    } finally {
      this.running = false;
      this.schedule();
    }
  }

  /** Drops pending keys and waits for a flush in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.dirty.clear();
    while (this.running) await new Promise((r) => setTimeout(r, 5));
  }
}

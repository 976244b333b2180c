// Per-socket event rate limit: a token bucket in the socket's own memory (a
// socket lives on one instance, so nothing needs sharing). Over the limit, a
// message is dropped and its ack, if any, answers rate_limited.
import type { Clock } from "../infra/clock";

export class EventBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.at = clock.now().getTime();
  }

  take(): boolean {
    const now = this.clock.now().getTime();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

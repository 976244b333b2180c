// The one source of time. Everything that asks "what time is it" takes a Clock,
// so tests can move time and every instance can share one notion of now.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests set and advance by hand. */
export class ManualClock implements Clock {
  private ms: number;
  constructor(start: Date | string | number = Date.now()) {
    this.ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.ms);
  }
  set(t: Date | string | number): void {
    this.ms = new Date(t).getTime();
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A clock offset from another one: used to simulate a skewed server. */
export function offsetClock(base: Clock, offsetMs: number): Clock {
  return { now: () => new Date(base.now().getTime() + offsetMs) };
}

// A shared ticking "now" for countdowns: one interval for the whole app,
// running only while something reads it.
class Ticker {
  now = $state(Date.now());
  private users = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  /** Start ticking while the returned function is not called (use in $effect). */
  use(): () => void {
    if (this.users++ === 0) {
      this.now = Date.now();
      this.timer = setInterval(() => (this.now = Date.now()), 1000);
    }
    return () => {
      if (--this.users === 0) clearInterval(this.timer);
    };
  }
}

export const ticker = new Ticker();

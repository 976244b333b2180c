// An app closed right after it started (before its socket adapter's Redis
// connections were ready) leaves no rejected promise behind: Vitest fails a run
// on any unhandled rejection, so this file fails if one escapes. It did, now
// and then, in other files whose tests were quick.
import { it } from "vitest";
import { startTestApp } from "../helpers/app";

it("starts and closes at once, five times, with nothing left unhandled", async () => {
  for (let i = 0; i < 5; i++) {
    const t = await startTestApp();
    await t.close();
  }
});

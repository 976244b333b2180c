// The live connection when the server refuses the handshake: socket.io does not
// retry a refusal (the socket is no longer `active`), so the client retries,
// backing off, and says why when the person can do something about it. And when
// a live connection drops: "offline" while it is away, "back online" when it returns.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

type Listener = (arg?: unknown) => void;
class FakeSocket {
  listeners = new Map<string, Listener[]>();
  active = true;
  connected = false;
  connects = 0;
  on(event: string, fn: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
    return this;
  }
  fire(event: string, arg?: unknown) {
    for (const fn of this.listeners.get(event) ?? []) fn(arg);
  }
  /** What socket.io does on a CONNECT_ERROR packet: destroy, then report. */
  refuse(code: string) {
    this.active = false;
    this.fire("connect_error", Object.assign(new Error("refused"), { data: { code, message: "refused" } }));
  }
  connect() {
    this.connects++;
    this.active = true;
    return this;
  }
  removeAllListeners() {
    this.listeners.clear();
  }
  disconnect() {}
  emit() {}
  timeout() {
    return this;
  }
}
const sockets: FakeSocket[] = [];
vi.mock("socket.io-client", () => ({ io: () => (sockets.push(new FakeSocket()), sockets.at(-1)) }));

const { realtime, retryDelay, TOO_MANY_CONNECTIONS, OFFLINE, BACK_ONLINE, OFFLINE_AFTER_MS, BACK_ONLINE_MS, liveNotice } = await import("./socket.svelte");

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, "random").mockReturnValue(0.5);
});
afterEach(() => {
  realtime.disconnect();
  realtime.onUnauthenticated = null;
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("a refused handshake", () => {
  it("too_many_connections: says so, retries with growing waits, and clears the notice once connected", () => {
    realtime.connect("token");
    const s = sockets.at(-1)!;
    s.refuse("too_many_connections");
    expect(realtime.status).toBe("connecting");
    expect(realtime.notice).toBe(TOO_MANY_CONNECTIONS);
    vi.advanceTimersByTime(retryDelay(0, () => 0.5) - 1);
    expect(s.connects).toBe(0);
    vi.advanceTimersByTime(1);
    expect(s.connects).toBe(1);
    s.refuse("too_many_connections");
    // The second wait is longer than the first could have been.
    vi.advanceTimersByTime(retryDelay(0, () => 1));
    expect(s.connects).toBe(1);
    vi.advanceTimersByTime(retryDelay(1, () => 1));
    expect(s.connects).toBe(2);
    s.connected = true;
    s.fire("connect");
    expect(realtime.status).toBe("online");
    expect(realtime.notice).toBeNull();
  });

  it("unavailable (a backing service down): retried too, with no notice to act on", () => {
    realtime.connect("token");
    const s = sockets.at(-1)!;
    s.refuse("unavailable");
    expect(realtime.notice).toBeNull();
    vi.advanceTimersByTime(retryDelay(0, () => 1));
    expect(s.connects).toBe(1);
  });

  it("unauthenticated: asks the app to check the session", () => {
    const checks: string[] = [];
    realtime.onUnauthenticated = () => checks.push("check");
    realtime.connect("token");
    sockets.at(-1)!.refuse("unauthenticated");
    expect(checks).toEqual(["check"]);
  });

  it("a network failure is left to socket.io's own retries", () => {
    realtime.connect("token");
    const s = sockets.at(-1)!;
    s.fire("connect_error", new Error("xhr poll error"));
    vi.advanceTimersByTime(120_000);
    expect(s.connects).toBe(0);
    expect(realtime.notice).toBeNull();
  });

  it("signing out stops the retries and clears the notice", () => {
    realtime.connect("token");
    const s = sockets.at(-1)!;
    s.refuse("too_many_connections");
    realtime.disconnect();
    expect(realtime.notice).toBeNull();
    vi.advanceTimersByTime(120_000);
    expect(s.connects).toBe(0);
  });

  it("waits between 1 and 2 s first, doubling up to a minute at most", () => {
    expect(retryDelay(0, () => 0)).toBe(1_000);
    expect(retryDelay(0, () => 1)).toBe(2_000);
    expect(retryDelay(3, () => 1)).toBe(16_000);
    expect(retryDelay(50, () => 1)).toBe(60_000);
  });
});

describe("a live connection that drops", () => {
  function live() {
    realtime.connect("token");
    const s = sockets.at(-1)!;
    s.connected = true;
    s.fire("connect");
    return s;
  }
  function drop(s: FakeSocket, reason = "transport close") {
    s.connected = false;
    s.fire("disconnect", reason);
  }

  it("says it is offline once the drop lasts, and back online when it returns, for a while", () => {
    const s = live();
    let connects = 0;
    const off = realtime.onConnect(() => connects++);
    drop(s);
    expect(liveNotice()).toBe("");
    vi.advanceTimersByTime(OFFLINE_AFTER_MS);
    expect(realtime.link).toBe("offline");
    expect(liveNotice()).toBe(OFFLINE);
    // socket.io's own retries fail meanwhile (the server is gone, the network too).
    s.fire("connect_error", new Error("websocket error"));
    expect(liveNotice()).toBe(OFFLINE);
    s.connected = true;
    s.fire("connect");
    expect(liveNotice()).toBe(BACK_ONLINE);
    expect(connects).toBe(1); // the views read their data again, as on every connect
    vi.advanceTimersByTime(BACK_ONLINE_MS);
    expect(liveNotice()).toBe("");
    off();
  });

  it("says nothing for a drop shorter than a moment (a server restart's quick reconnect)", () => {
    const s = live();
    drop(s);
    vi.advanceTimersByTime(OFFLINE_AFTER_MS - 1);
    s.connected = true;
    s.fire("connect");
    vi.advanceTimersByTime(60_000);
    expect(realtime.link).toBe("live");
    expect(liveNotice()).toBe("");
  });

  it("says nothing while the first connection of the page is still being made", () => {
    realtime.connect("token");
    const s = sockets.at(-1)!;
    s.fire("connect_error", new Error("websocket error"));
    vi.advanceTimersByTime(60_000);
    expect(liveNotice()).toBe("");
  });

  it("says nothing when the server ended the session (session:expired has its own notice), nor when signing out", () => {
    const s = live();
    drop(s, "io server disconnect");
    vi.advanceTimersByTime(60_000);
    expect(liveNotice()).toBe("");

    const t = live();
    drop(t);
    realtime.disconnect();
    vi.advanceTimersByTime(60_000);
    expect(liveNotice()).toBe("");
  });

  it("a refusal worth telling (too many connections) is told over the offline word", () => {
    const s = live();
    drop(s);
    vi.advanceTimersByTime(OFFLINE_AFTER_MS);
    s.refuse("too_many_connections");
    expect(liveNotice()).toBe(TOO_MANY_CONNECTIONS);
  });
});

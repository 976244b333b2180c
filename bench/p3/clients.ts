// The socket swarm of P3, in a process of its own (started by p3-fanout.ts):
// N socket.io-client sockets over websocket, connected in batches, each
// subscribed to one room. Each socket keeps the moments its count changed, so
// the parent can ask afterwards how long each claim took to show on each client.
//   "connect" {url, tokens, room?, event, batch} → "connected" {ok, failed, seconds}
//   "mark"  → starts the measured window (forgets what came before)
//   "report" {commits?: {committed, answered}} → "report" {...}   "stop" → exits
import { io, type Socket } from "socket.io-client";
import { percentile, staleness, wallMs } from "../lib/stats";

interface ConnectMsg {
  type: "connect";
  url: string;
  tokens: string[];
  /** Room to subscribe to after connecting (the real server); none for the bare reference. */
  room?: string;
  /** queue:changed (count in `claimed`) or tick (carries its send time `t`). */
  event: "queue:changed" | "tick";
  nodeId?: string;
  batch: number;
}

interface Watcher {
  socket: Socket;
  /** (time, claimed) for each count change in the window; for ticks, delivery delays. */
  times: number[];
  counts: number[];
  baseline: number;
  last: number;
}

const watchers: Watcher[] = [];
let received = 0;
let markedAt = 0;
let event: ConnectMsg["event"] = "queue:changed";

function connectOne(m: ConnectMsg, token: string): Promise<Watcher | null> {
  return new Promise((resolve) => {
    const socket = io(m.url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: m.room ? { token } : {}, timeout: 60_000 });
    const w: Watcher = { socket, times: [], counts: [], baseline: 0, last: 0 };
    if (m.event === "queue:changed") {
      socket.on("queue:changed", (e: { nodeId: string; claimed: number }) => {
        if (e.nodeId !== m.nodeId) return;
        received++;
        w.last = e.claimed;
        if (markedAt) {
          w.times.push(wallMs());
          w.counts.push(e.claimed);
        }
      });
    } else {
      socket.on("tick", (e: { t: number }) => {
        received++;
        if (markedAt) w.times.push(wallMs() - e.t);
      });
    }
    socket.once("connect_error", () => resolve(null));
    socket.once("connect", () => {
      if (!m.room) return resolve(w);
      socket.emit("subscribe", { room: m.room }, (ack: { ok?: true }) => resolve(ack?.ok ? w : null));
    });
  });
}

async function connectAll(m: ConnectMsg) {
  event = m.event;
  const started = performance.now();
  let failed = 0;
  for (let i = 0; i < m.tokens.length; i += m.batch) {
    const got = await Promise.all(m.tokens.slice(i, i + m.batch).map((t) => connectOne(m, t)));
    for (const w of got) (w ? watchers.push(w) : failed++);
  }
  return { ok: watchers.length, failed, seconds: (performance.now() - started) / 1000 };
}

process.on("message", async (msg: { type: string } & Record<string, unknown>) => {
  if (msg.type === "connect") {
    process.send!({ type: "connected", ...(await connectAll(msg as unknown as ConnectMsg)) });
  } else if (msg.type === "mark") {
    // The real server: claims held at the mark, from the database (a client may still be
    // behind); the bare reference has no count.
    const baseline = typeof msg.baseline === "number" ? msg.baseline : 0;
    for (const w of watchers) {
      w.times = [];
      w.counts = [];
      w.baseline = baseline;
    }
    received = 0;
    markedAt = wallMs();
    process.send!({ type: "mark", behind: watchers.filter((w) => w.last !== baseline).length });
  } else if (msg.type === "report") {
    const seconds = (wallMs() - markedAt) / 1000;
    const connected = watchers.filter((w) => w.socket.connected).length;
    const base = { type: "report", connected, received, perSecond: received / seconds, seconds };
    if (event === "tick") {
      const delays = watchers.flatMap((w) => w.times);
      process.send!({ ...base, latency: { p50: percentile(delays, 50), p99: percentile(delays, 99), max: percentile(delays, 100), samples: delays.length } });
    } else {
      // When k claims had committed (noted by the server), and, as a client-side view, when k had been answered.
      const c = msg.commits as { committed: number[]; answered: number[] };
      process.send!({ ...base, fromCommit: staleness(c.committed, watchers), fromAnswered: staleness(c.answered, watchers) });
    }
  } else if (msg.type === "stop") {
    for (const w of watchers) w.socket.disconnect();
    process.exit(0);
  }
});

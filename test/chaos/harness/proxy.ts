// A small TCP proxy between the servers and a backing service, so a scenario can
// make the link slow, cut it, or partition it without touching the service:
// - delay: every chunk waits `delayMs` each way (order kept);
// - partition: nothing passes either way, connections stay open (as when a
//   switch drops packets); heal() delivers what waited, as TCP retransmission would;
// - dropConnections: every open connection is reset at once;
// - refuse: new connections are closed as soon as they open.
import net from "node:net";
import { freePort } from "../../../server/src/infra/embedded";

interface Link {
  client: net.Socket;
  upstream: net.Socket;
  held: Array<() => void>;
}

export class TcpProxy {
  private server: net.Server | null = null;
  private links = new Set<Link>();
  delayMs = 0;
  partitioned = false;
  refusing = false;
  port = 0;
  stats = { connections: 0, dropped: 0, chunks: 0 };

  constructor(private targetPort: number, private targetHost = "127.0.0.1") {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const p = new TcpProxy(targetPort);
    await p.listen(await freePort());
    return p;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private listen(port: number): Promise<void> {
    this.port = port;
    this.server = net.createServer((client) => this.accept(client));
    return new Promise((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, "127.0.0.1", () => resolve());
    });
  }

  private accept(client: net.Socket): void {
    this.stats.connections++;
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.targetPort, this.targetHost);
    const link: Link = { client, upstream, held: [] };
    this.links.add(link);
    const close = () => {
      this.links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
    this.pipe(link, client, upstream);
    this.pipe(link, upstream, client);
  }

  /**
   * Forwards chunks from one side to the other, through the delay and the
   * partition, in order: one FIFO per direction drained by one timer (timers of
   * different lengths due in the same millisecond may fire in any order).
   */
  private pipe(link: Link, from: net.Socket, to: net.Socket): void {
    const queue: Array<{ due: number; chunk: Buffer }> = [];
    let timer: NodeJS.Timeout | null = null;
    const send = (chunk: Buffer) => () => {
      if (!to.destroyed) to.write(chunk);
    };
    const drain = () => {
      timer = null;
      while (queue.length && queue[0]!.due <= Date.now()) {
        const { chunk } = queue.shift()!;
        if (this.partitioned) link.held.push(send(chunk));
        else send(chunk)();
      }
      if (queue.length) timer = setTimeout(drain, queue[0]!.due - Date.now());
    };
    from.on("data", (chunk: Buffer) => {
      this.stats.chunks++;
      if (this.partitioned && !queue.length) return link.held.push(send(chunk));
      queue.push({ due: Date.now() + this.delayMs, chunk });
      // A chunk may not pass the ones ahead of it, whatever the delay is now.
      if (queue.length > 1) queue[queue.length - 1]!.due = Math.max(queue[queue.length - 1]!.due, queue[queue.length - 2]!.due);
      if (!timer) drain();
    });
  }

  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  partition(): void {
    this.partitioned = true;
  }

  heal(): void {
    this.partitioned = false;
    for (const link of this.links) {
      const held = link.held.splice(0);
      for (const send of held) send();
    }
  }

  dropConnections(): number {
    const n = this.links.size;
    for (const link of [...this.links]) {
      link.client.resetAndDestroy?.() ?? link.client.destroy();
      link.upstream.destroy();
    }
    this.links.clear();
    this.stats.dropped += n;
    return n;
  }

  get open(): number {
    return this.links.size;
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = null;
  }
}

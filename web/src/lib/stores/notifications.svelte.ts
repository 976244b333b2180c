// The inbox: notifications loaded from the API, live ones from the socket
// (a toast, and a desktop notification when the tab is hidden), the unread
// count in the sidebar and the tab title (the server counts; the list may hold
// only the newest page). Reads in another tab arrive as `notifications:read`.
// A push and a read may cross (the read's count taken before the push's
// notification was stored, or after it and heard first): every count comes with
// `countedUpTo`, the newest notification it saw, so a push created later is added
// on top, and one created earlier (counted, maybe read already) makes us ask the
// server again. Of two counts, the one up to a later notification is newer; up to
// the same one, the lower is (reads only lower a count). A read's count that moves
// the mark past unread pushes held here asks the server again too: createdAt is set
// before the commit, so such a push may have committed after that count.
// A review digest grows while unread: the server pushes the same id again with a
// higher count and a later updatedAt, its createdAt (since when it is unread, what
// counts count by) unchanged. So a push of an id held here updates it and moves it
// to the top, never counts it again, and leaves it read if it was read here (a read
// on the server after that growth; a growth after a read is a new id). Toasts and
// desktop notifications of one notification come at most once a minute.
import { api } from "../api/client";
import type { Notification } from "../api/types";
import type { NotificationsRead } from "$shared/socket-events";
import { askDesktopPermission, desktopPermission, shouldNotifyDesktop, showDesktop, titleWithCount } from "../notify";
import { nav } from "../nav.svelte";
import { realtime } from "../socket.svelte";
import { toasts } from "./toasts.svelte";

/** A count the server answered, of the notifications created up to `countedUpTo`. */
interface Counted {
  unreadCount: number;
  countedUpTo: string | null;
}

interface Inbox extends Counted {
  items: Notification[];
  nextCursor: string | null;
}

const time = (iso: string | null) => (iso ? Date.parse(iso) : -Infinity);
const updated = (n: Notification) => time(n.updatedAt ?? n.createdAt);
/** Of two versions of one notification, is `a` the later? A digest only grows: a later arrival, or more in the same millisecond. */
const later = (a: Notification, b: Notification) => updated(a) > updated(b) || (updated(a) === updated(b) && (a.count ?? 1) > (b.count ?? 1));
/** Latest arrival first, as the server lists them (a stable sort keeps its order otherwise). */
const newestFirst = (items: Notification[]) => [...items].sort((a, b) => updated(b) - updated(a));

/** A notification growing (a review digest) is toasted again at most this often. */
export const RETELL_MS = 60_000;

/** Reads of the inbox made again in a row when live events keep overtaking them, before taking the last answer anyway. */
const MAX_REREADS = 3;

class NotificationsStore {
  items = $state<Notification[]>([]);
  /** The server's last count, and up to when it counted (ms). */
  private counted = $state(0);
  private countedUpTo = $state(-Infinity);
  /** The server's count plus the unread ones pushed since, created after what it counted. */
  unread = $derived(this.counted + this.items.filter((n) => !n.readAt && time(n.createdAt) > this.countedUpTo).length);
  loaded = $state(false);
  nextCursor = $state<string | null>(null);
  permission = $state<NotificationPermission | "unsupported">(desktopPermission());
  private offs: Array<() => void> = [];
  private loading: Promise<void> | null = null;
  /** A live event came while the inbox was being read: that answer may predate it. */
  private overtaken = false;
  /** Bumped by stop(): an answer for the previous session is dropped. */
  private session = 0;
  /** When each notification was last toasted (ms of `now`). */
  private toldAt = new Map<string, number>();
  /** The clock for the toast throttle (tests set it). */
  now = () => Date.now();

  /** Loads the inbox and listens for live notifications until stop(). */
  start() {
    this.stop();
    this.offs.push(
      realtime.on("notification", (n) => this.receive({ ...n, readAt: null })),
      realtime.on("notifications:read", (e) => this.readElsewhere(e)),
      // Nothing is pushed to a socket before it joins, nor replayed after a reconnect: read the inbox again.
      realtime.onConnect(() => void this.load()),
    );
    void this.load();
  }

  stop() {
    for (const off of this.offs) off();
    this.offs = [];
    this.session++;
    this.loading = null;
    this.items = [];
    this.counted = 0;
    this.countedUpTo = -Infinity;
    this.loaded = false;
    this.toldAt.clear();
  }

  /** The first page and the count. One read at a time; one a live event overtook is made again. */
  load(): Promise<void> {
    if (this.loading) {
      this.overtaken = true;
      return this.loading;
    }
    const session = this.session;
    const read = async () => {
      try {
        for (let n = 0; ; n++) {
          this.overtaken = false;
          const page = await api.get<Inbox>("/api/me/notifications", { limit: 50 });
          if (session !== this.session) return;
          if (this.overtaken && n < MAX_REREADS) continue;
          // Pushed meanwhile and newer than what it counted: kept, and counted on top.
          const listed = new Set(page.items.map((x) => x.id));
          const newer = this.items.filter((x) => !listed.has(x.id) && time(x.createdAt) > time(page.countedUpTo));
          // A digest that grew while this read was on its way: its newer words, the server's readAt.
          const held = new Map(this.items.map((x) => [x.id, x]));
          const listedNow = page.items.map((x) => {
            const h = held.get(x.id);
            return h && later(h, x) ? { ...h, readAt: x.readAt } : x;
          });
          this.items = newestFirst([...newer, ...listedNow]);
          this.nextCursor = page.nextCursor;
          this.take(page, true);
          this.loaded = true;
          return;
        }
      } finally {
        if (session === this.session) this.loading = null;
      }
    };
    return (this.loading = read());
  }

  async loadMore() {
    if (!this.nextCursor) return;
    const page = await api.get<Inbox>("/api/me/notifications", { limit: 50, cursor: this.nextCursor });
    const known = new Set(this.items.map((n) => n.id));
    this.items = [...this.items, ...page.items.filter((n) => !known.has(n.id))];
    this.nextCursor = page.nextCursor;
  }

  receive(n: Notification) {
    if (this.loading) this.overtaken = true;
    const held = this.items.find((x) => x.id === n.id);
    if (held) return this.grow(held, n);
    this.items = [n, ...this.items];
    this.tell(n);
    // Created no later than the last count: that count may hold it, or a read that crossed it may have read it.
    if (time(n.createdAt) <= this.countedUpTo) void this.load();
  }

  /** A digest held here grew: the same row (same createdAt, so the count is untouched), newer words, on top. */
  private grow(held: Notification, n: Notification) {
    if (!later(n, held)) return; // this growth, or a later one, is here already
    const next = { ...n, readAt: held.readAt ?? null };
    this.items = [next, ...this.items.filter((x) => x.id !== n.id)];
    if (!next.readAt) this.tell(next);
  }

  /** A toast, and a desktop notification when the tab is hidden: at most once a minute for one notification. */
  private tell(n: Notification) {
    const now = this.now();
    const last = this.toldAt.get(n.id);
    if (last !== undefined && now - last < RETELL_MS) return;
    for (const [id, at] of this.toldAt) if (now - at >= RETELL_MS) this.toldAt.delete(id);
    this.toldAt.set(n.id, now);
    toasts.show({ kind: "notification", title: n.title, body: n.body, link: n.link, noteId: n.id }, 8000);
    if (shouldNotifyDesktop(document.visibilityState === "hidden", desktopPermission())) showDesktop(n, () => this.open(n));
  }

  /** Read in another tab (or this one, or by an API key): the server's count, and the list follows. */
  readElsewhere(e: NotificationsRead) {
    if (!e.ids) return this.readAll(e);
    if (this.loading) this.overtaken = true;
    this.setRead(new Set(e.ids));
    this.take(e);
  }

  async markRead(n: Notification) {
    const cur = this.items.find((x) => x.id === n.id) ?? n;
    if (cur.readAt) return;
    // In the last count: taken off it until the server's answer says.
    const inCount = time(cur.createdAt) <= this.countedUpTo;
    this.setRead(new Set([n.id]));
    if (inCount) this.counted = Math.max(0, this.counted - 1);
    try {
      // upTo: a digest that took in a task after what is shown here stays unread (the answer shows it grown).
      const r = await api.post<Notification & Counted>(`/api/me/notifications/${n.id}/read`, { upTo: cur.updatedAt });
      if (r.readAt) this.setRead(new Set([n.id]));
      else {
        const { unreadCount: _u, countedUpTo: _c, ...grown } = r;
        this.items = this.items.map((x) => (x.id === n.id ? grown : x));
        if (inCount) this.counted++;
      }
      this.take(r);
    } catch {
      this.items = this.items.map((x) => (x.id === n.id ? { ...x, readAt: null } : x));
      if (inCount) this.counted++;
      // Whether the server read it is unknown: ask it (again on reconnect if it is out of reach).
      void this.load().catch(() => {});
    }
  }

  async markAllRead() {
    // Up to the newest shown: what arrived since (a digest grown, a new one) stays unread.
    const shown = this.items.reduce<string | null>((m, x) => (x.updatedAt && time(x.updatedAt) > time(m) ? x.updatedAt : m), null);
    this.readAll(await api.post<{ updated: number } & Counted>("/api/me/notifications/read-all", shown ? { upTo: shown } : {}));
  }

  /** Every notification up to the count's mark was read (here, in another tab, by an API key). */
  private readAll(c: Counted) {
    if (this.loading) this.overtaken = true;
    // Some still unread up to the mark (stored as the read ran; another org's after an API key's read): which, the server says.
    if (c.unreadCount > 0) return void this.load();
    const upTo = time(c.countedUpTo);
    const at = new Date().toISOString();
    this.items = this.items.map((x) => (x.readAt || time(x.createdAt) > upTo ? x : { ...x, readAt: at }));
    this.take(c);
  }

  private setRead(ids: Set<string>) {
    const at = new Date().toISOString();
    this.items = this.items.map((x) => (x.readAt || !ids.has(x.id) ? x : { ...x, readAt: at }));
  }

  /**
   * Takes the server's count unless a newer one is in (the inbox's own read, which nothing overtook, always is).
   * A read's count that moves the mark past unread ones pushed here is not taken: createdAt is set before a
   * notification's transaction commits, so one created before the mark may have committed after the count
   * (not in it), and the mark would no longer count it on top. The inbox says.
   */
  private take(c: Counted, fromInbox = false) {
    if (this.loading && !fromInbox) this.overtaken = true;
    const upTo = time(c.countedUpTo);
    const older = upTo < this.countedUpTo || (upTo === this.countedUpTo && c.unreadCount > this.counted);
    if (older && !fromInbox) return;
    const from = this.countedUpTo;
    if (!fromInbox && this.items.some((n) => !n.readAt && time(n.createdAt) > from && time(n.createdAt) <= upTo)) return void this.load();
    this.counted = c.unreadCount;
    this.countedUpTo = upTo;
  }

  open(n: Notification) {
    void this.markRead(n);
    if (n.link) nav.navigate(n.link);
  }

  /** From a click: ask for desktop notifications (never on page load). */
  async enableDesktop() {
    this.permission = await askDesktopPermission();
  }

  title(base: string) {
    return titleWithCount(base, this.unread);
  }
}

export const notifications = new NotificationsStore();

// The inbox: notifications loaded from the API, live ones from the socket
// (a toast, and a desktop notification when the tab is hidden), the unread
// count in the sidebar and the tab title (the server counts; the list may hold
// only the newest page). Reads in another tab arrive as `notifications:read`.
import { api } from "../api/client";
import type { Notification } from "../api/types";
import type { NotificationsRead } from "$shared/socket-events";
import { askDesktopPermission, desktopPermission, shouldNotifyDesktop, showDesktop, titleWithCount } from "../notify";
import { nav } from "../nav.svelte";
import { realtime } from "../socket.svelte";
import { toasts } from "./toasts.svelte";

interface Inbox {
  items: Notification[];
  nextCursor: string | null;
  unreadCount?: number;
}

/** Reads of the inbox made again in a row when live events keep overtaking them, before taking the last answer anyway. */
const MAX_REREADS = 3;

class NotificationsStore {
  items = $state<Notification[]>([]);
  unread = $state(0);
  loaded = $state(false);
  nextCursor = $state<string | null>(null);
  permission = $state<NotificationPermission | "unsupported">(desktopPermission());
  private offs: Array<() => void> = [];
  private loading: Promise<void> | null = null;
  /** A live event came while the inbox was being read: that answer may predate it. */
  private overtaken = false;
  /** Bumped by stop(): an answer for the previous session is dropped. */
  private session = 0;

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
    this.unread = 0;
    this.loaded = false;
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
          this.items = page.items;
          this.nextCursor = page.nextCursor;
          this.unread = page.unreadCount ?? page.items.filter((x) => !x.readAt).length;
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
    if (this.items.some((x) => x.id === n.id)) return;
    this.items = [n, ...this.items];
    this.unread++;
    toasts.show({ kind: "notification", title: n.title, body: n.body, link: n.link, noteId: n.id }, 8000);
    if (shouldNotifyDesktop(document.visibilityState === "hidden", desktopPermission())) showDesktop(n, () => this.open(n));
  }

  /** Read in another tab (or this one, or by an API key): the server's count, and the list follows. */
  readElsewhere(e: NotificationsRead) {
    if (this.loading) this.overtaken = true;
    // "All" of one org only (an API key's) while others stay unread: which ones is for the server to say.
    if (!e.ids && e.unreadCount > 0) return void this.load();
    const ids = e.ids && new Set(e.ids);
    const at = new Date().toISOString();
    this.items = this.items.map((x) => (x.readAt || (ids && !ids.has(x.id)) ? x : { ...x, readAt: at }));
    this.unread = e.unreadCount;
  }

  async markRead(n: Notification) {
    if (n.readAt) return;
    this.items = this.items.map((x) => (x.id === n.id ? { ...x, readAt: new Date().toISOString() } : x));
    this.unread = Math.max(0, this.unread - 1);
    try {
      const r = await api.post<{ unreadCount?: number }>(`/api/me/notifications/${n.id}/read`);
      if (typeof r?.unreadCount === "number") this.unread = r.unreadCount;
    } catch {
      this.items = this.items.map((x) => (x.id === n.id ? { ...x, readAt: null } : x));
      this.unread++;
    }
  }

  async markAllRead() {
    const r = await api.post<{ unreadCount?: number }>("/api/me/notifications/read-all");
    const at = new Date().toISOString();
    this.items = this.items.map((x) => (x.readAt ? x : { ...x, readAt: at }));
    this.unread = r?.unreadCount ?? 0;
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

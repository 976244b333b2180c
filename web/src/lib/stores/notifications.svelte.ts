// The inbox: notifications loaded from the API, live ones from the socket
// (a toast, and a desktop notification when the tab is hidden), the unread
// count in the sidebar and the tab title (the server counts; the list may hold
// only the newest page).
import { api } from "../api/client";
import type { Notification } from "../api/types";
import { askDesktopPermission, desktopPermission, shouldNotifyDesktop, showDesktop, titleWithCount } from "../notify";
import { nav } from "../nav.svelte";
import { realtime } from "../socket.svelte";
import { toasts } from "./toasts.svelte";

interface Inbox {
  items: Notification[];
  nextCursor: string | null;
  unreadCount?: number;
}

class NotificationsStore {
  items = $state<Notification[]>([]);
  unread = $state(0);
  loaded = $state(false);
  nextCursor = $state<string | null>(null);
  permission = $state<NotificationPermission | "unsupported">(desktopPermission());
  private offs: Array<() => void> = [];

  /** Loads the inbox and listens for live notifications until stop(). */
  start() {
    this.stop();
    this.offs.push(
      realtime.on("notification", (n) => this.receive({ ...n, readAt: null })),
      // Nothing is replayed after a reconnect: read the inbox again.
      realtime.onReconnect(() => void this.load()),
    );
    void this.load();
  }

  stop() {
    for (const off of this.offs) off();
    this.offs = [];
    this.items = [];
    this.unread = 0;
    this.loaded = false;
  }

  async load() {
    const page = await api.get<Inbox>("/api/me/notifications", { limit: 50 });
    this.items = page.items;
    this.nextCursor = page.nextCursor;
    this.unread = page.unreadCount ?? page.items.filter((n) => !n.readAt).length;
    this.loaded = true;
  }

  async loadMore() {
    if (!this.nextCursor) return;
    const page = await api.get<Inbox>("/api/me/notifications", { limit: 50, cursor: this.nextCursor });
    const known = new Set(this.items.map((n) => n.id));
    this.items = [...this.items, ...page.items.filter((n) => !known.has(n.id))];
    this.nextCursor = page.nextCursor;
  }

  receive(n: Notification) {
    if (this.items.some((x) => x.id === n.id)) return;
    this.items = [n, ...this.items];
    this.unread++;
    toasts.show({ kind: "notification", title: n.title, body: n.body, link: n.link }, 8000);
    if (shouldNotifyDesktop(n, document.visibilityState === "hidden", desktopPermission()))
      showDesktop(n, () => this.open(n));
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

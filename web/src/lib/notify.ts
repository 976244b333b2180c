// Desktop notifications and the tab title, as small functions the
// notifications store calls. Permission is asked only from a user action.
import type { Notification as Note } from "./api/types";

export function titleWithCount(base: string, unread: number): string {
  return unread > 0 ? `(${unread > 99 ? "99+" : unread}) ${base}` : base;
}

/**
 * Every type is worth one while the tab is in the background (a lease about to end
 * most of all: its warning on the task page is not seen there); never while it shows.
 */
export function shouldNotifyDesktop(hidden: boolean, permission: NotificationPermission | "unsupported"): boolean {
  return hidden && permission === "granted";
}

export function desktopPermission(): NotificationPermission | "unsupported" {
  return typeof window !== "undefined" && "Notification" in window ? window.Notification.permission : "unsupported";
}

/** Must run inside a click/keypress handler: browsers ignore or quiet requests made without one. */
export async function askDesktopPermission(): Promise<NotificationPermission | "unsupported"> {
  if (desktopPermission() !== "default") return desktopPermission();
  try {
    return await window.Notification.requestPermission();
  } catch {
    return desktopPermission();
  }
}

export function showDesktop(note: Note, onClick: () => void) {
  const n = new window.Notification(note.title, { body: note.body, tag: note.id });
  n.onclick = () => {
    window.focus();
    onClick();
    n.close();
  };
}

// Short messages in the corner: live notifications, confirmations, errors.
export interface Toast {
  id: number;
  kind: "info" | "success" | "error" | "notification";
  title: string;
  body?: string;
  link?: string;
  /** The notification a live toast shows: opening the toast opens (and reads) that one. */
  noteId?: string;
}

class Toasts {
  items = $state<Toast[]>([]);
  private next = 1;

  show(t: Omit<Toast, "id">, ms = 6000): number {
    const id = this.next++;
    this.items = [...this.items.slice(-4), { ...t, id }];
    if (ms > 0) setTimeout(() => this.dismiss(id), ms);
    return id;
  }

  success(title: string, body?: string) {
    return this.show({ kind: "success", title, body }, 4000);
  }

  error(title: string, body?: string) {
    return this.show({ kind: "error", title, body }, 8000);
  }

  dismiss(id: number) {
    this.items = this.items.filter((t) => t.id !== id);
  }

  clear() {
    this.items = [];
  }
}

export const toasts = new Toasts();

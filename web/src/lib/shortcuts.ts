// Keyboard shortcuts: single keys only when no text field has focus, so typing
// an answer never claims or releases anything.

export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName.toLowerCase();
  if (tag === "textarea" || tag === "select" || el.isContentEditable) return true;
  if (tag !== "input") return false;
  const type = (el as HTMLInputElement).type;
  return !["checkbox", "radio", "button", "submit", "reset", "range"].includes(type);
}

export type Shortcut = "claim" | "submit" | "submit-next" | "release";

/** Which shortcut a key press means, if any. */
export function shortcutOf(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey" | "target" | "code">): Shortcut | null {
  if ((e.ctrlKey || e.metaKey) && e.key === "Enter") return e.shiftKey ? "submit-next" : "submit";
  if (e.altKey && !e.ctrlKey && !e.metaKey && (e.code === "KeyR" || e.key.toLowerCase() === "r")) return "release";
  if (!e.ctrlKey && !e.metaKey && !e.altKey && !isTyping(e.target) && e.key.toLowerCase() === "c") return "claim";
  return null;
}

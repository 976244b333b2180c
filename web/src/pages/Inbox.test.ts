import { cleanup, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { notifications } from "$lib/stores/notifications.svelte";
import Inbox from "./Inbox.svelte";

afterEach(() => {
  cleanup();
  notifications.stop();
});

describe("Inbox", () => {
  it("says 'Unread' to a screen reader on an unread notification (the dot itself is hidden from it)", () => {
    const at = new Date().toISOString();
    notifications.items = [
      { id: "n1", type: "work_returned", title: "Returned to you", body: "Fix the rating.", link: "", readAt: null, createdAt: at },
      { id: "n2", type: "review_ready", title: "A review is ready", body: "Go.", link: "", readAt: at, createdAt: at },
    ];
    notifications.unread = 1;
    notifications.loaded = true;
    const { container } = render(Inbox, { params: {} });
    expect(screen.getAllByText("Unread")).toHaveLength(1);
    const dots = container.querySelectorAll(".dot");
    expect(dots).toHaveLength(1);
    expect(dots[0]!.getAttribute("aria-hidden")).toBe("true");
    expect(container.querySelector("span[aria-label]:not([role])")).toBeNull();
  });
});

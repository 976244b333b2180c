import { describe, expect, it } from "vitest";
import { firstMatch, isInAppClick, matchPath } from "./router";

describe("matchPath", () => {
  it("matches literal segments and captures parameters", () => {
    expect(matchPath("/projects/:projectId/tasks", "/projects/p1/tasks")).toEqual({ projectId: "p1" });
    expect(matchPath("/projects/:projectId/tasks", "/projects/p1/tasks/")).toEqual({ projectId: "p1" });
    expect(matchPath("/projects/:projectId/tasks", "/projects/p1/runs")).toBeNull();
    expect(matchPath("/projects/:projectId", "/projects/p1/tasks")).toBeNull();
  });

  it("decodes parameters and refuses malformed encodings", () => {
    expect(matchPath("/a/:id", "/a/x%20y")).toEqual({ id: "x y" });
    expect(matchPath("/a/:id", "/a/%E0%A4%A")).toBeNull();
  });

  it("ignores the query string", () => {
    expect(matchPath("/work", "/work?node=n1")).toEqual({});
  });

  it("lets a trailing * match anything", () => {
    expect(matchPath("/*", "/anything/at/all")).toEqual({});
    expect(matchPath("/*", "/")).toEqual({});
  });
});

describe("firstMatch", () => {
  const routes = [{ path: "/projects/:projectId/pipelines/new" }, { path: "/projects/:projectId/pipelines/:pipelineId" }, { path: "/*" }];

  it("takes the first route that matches, so literals placed first win", () => {
    expect(firstMatch(routes, "/projects/p/pipelines/new")?.route.path).toBe("/projects/:projectId/pipelines/new");
    expect(firstMatch(routes, "/projects/p/pipelines/x")?.params).toEqual({ projectId: "p", pipelineId: "x" });
    expect(firstMatch(routes, "/nope")?.route.path).toBe("/*");
  });
});

describe("isInAppClick", () => {
  const origin = "http://app.test";
  const link = (href: string, attrs: Record<string, string> = {}) => {
    const a = document.createElement("a");
    a.setAttribute("href", href);
    for (const [k, v] of Object.entries(attrs)) a.setAttribute(k, v);
    return a;
  };
  const click = (more: Partial<MouseEventInit> = {}) => new MouseEvent("click", { button: 0, ...more });

  it("keeps plain clicks on same-origin links in the app", () => {
    expect(isInAppClick(click(), link("/work"), origin)).toBe(true);
  });

  it("leaves new-tab clicks, other origins, API paths, downloads and anchors to the browser", () => {
    expect(isInAppClick(click({ ctrlKey: true }), link("/work"), origin)).toBe(false);
    expect(isInAppClick(click({ button: 1 }), link("/work"), origin)).toBe(false);
    expect(isInAppClick(click(), link("https://example.com/x"), origin)).toBe(false);
    expect(isInAppClick(click(), link("/api/openapi.json"), origin)).toBe(false);
    expect(isInAppClick(click(), link("/file.csv", { download: "" }), origin)).toBe(false);
    expect(isInAppClick(click(), link("/work", { target: "_blank" }), origin)).toBe(false);
    expect(isInAppClick(click(), link("#top"), origin)).toBe(false);
  });
});

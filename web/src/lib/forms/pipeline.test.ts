import { describe, expect, it } from "vitest";
import type { PipelineNode } from "../api/types";
import { errorSummary, fromPipeline, leaseText, newCriterion, newNode, pipelineLabel, slug, takesTasks, toDefinition, uniqueKey, validatePipeline } from "./pipeline";

const good = (): PipelineNode[] => [
  { key: "evaluate", kind: "task", name: "Evaluate", leaseSeconds: 600, form: { criteria: [newCriterion("rating", [])] } },
  { key: "review", kind: "review", name: "Review", reviews: "evaluate" },
  { key: "done", kind: "end", name: "Done" },
];

describe("keys", () => {
  it("are made from names and kept unique", () => {
    expect(slug("Évaluer la réponse!")).toBe("evaluer_la_reponse");
    expect(slug("42 things")).toBe("n_42_things");
    expect(uniqueKey("Review", ["review", "review_2"])).toBe("review_3");
  });
});

describe("validatePipeline", () => {
  it("accepts task → review → end", () => {
    expect(validatePipeline("Eval", good())).toEqual({});
  });

  it("needs a name, exactly one end node, and the end node last", () => {
    const noEnd = good().slice(0, 2);
    expect(validatePipeline("", noEnd)).toMatchObject({ name: expect.any(String), nodes: expect.stringMatching(/one end node/) });
    const endFirst = [good()[2]!, good()[0]!];
    expect(validatePipeline("x", endFirst).nodes).toMatch(/comes last/);
  });

  it("points at duplicate keys, empty forms and reviews of later or missing nodes", () => {
    const nodes = good();
    nodes[1]!.key = "evaluate";
    expect(validatePipeline("x", nodes)["nodes.1.key"]).toMatch(/Another node/);

    const empty = good();
    empty[0]!.form = { criteria: [] };
    expect(validatePipeline("x", empty)["nodes.0.form"]).toBeDefined();

    const backwards: PipelineNode[] = [{ key: "r", kind: "review", name: "R", reviews: "t" }, { ...good()[0]!, key: "t" }, good()[2]!];
    expect(validatePipeline("x", backwards)["nodes.0.reviews"]).toMatch(/before/);

    const orphan = good();
    orphan[1]!.reviews = null;
    expect(validatePipeline("x", orphan)["nodes.1.reviews"]).toBeDefined();
  });

  it("checks questions: choice options and rating bounds", () => {
    const nodes = good();
    nodes[0]!.form = { criteria: [{ ...newCriterion("choice", []), options: ["only"] }, { ...newCriterion("rating", ["category"]), min: 5, max: 5 }] };
    const e = validatePipeline("x", nodes);
    expect(e["nodes.0.criteria.0.options"]).toBeDefined();
    expect(e["nodes.0.criteria.1.max"]).toBeDefined();
  });

  it("takes the keys the server takes (a template's or a library criterion's), and refuses what it refuses", () => {
    const nodes = good();
    nodes[0]!.key = "Evaluate-1";
    nodes[1]!.reviews = "Evaluate-1";
    nodes[0]!.form = { criteria: [{ ...newCriterion("rating", []), key: "Accuracy_v2" }] };
    expect(validatePipeline("x", nodes)).toEqual({});
    const bad = good();
    bad[0]!.key = "-lead";
    bad[0]!.form = { criteria: [{ ...newCriterion("rating", []), key: "2nd" }] };
    const e = validatePipeline("x", bad);
    expect(e["nodes.0.key"]).toBeDefined();
    expect(e["nodes.0.criteria.0.key"]).toBeDefined();
  });

  it("keeps leases between 5 seconds and a day", () => {
    const nodes = good();
    nodes[0]!.leaseSeconds = 2;
    expect(validatePipeline("x", nodes)["nodes.0.leaseSeconds"]).toBeDefined();
  });
});

describe("toDefinition / fromPipeline", () => {
  it("sends only what the API takes", () => {
    const nodes = good();
    nodes[0]!.contributorTypeId = "type1";
    nodes[2]!.leaseSeconds = 99;
    const def = toDefinition([{ ...nodes[0]!, id: "n1", position: 0 }, nodes[1]!, nodes[2]!]);
    expect(def[0]).toEqual({ key: "evaluate", kind: "task", name: "Evaluate", contributorTypeId: "type1", leaseSeconds: 600, form: { criteria: [{ key: "quality", label: "Quality", kind: "rating", required: true, min: 1, max: 5 }] } });
    expect(def[1]).toEqual({ key: "review", kind: "review", name: "Review", reviews: "evaluate" });
    expect(def[2]).toEqual({ key: "done", kind: "end", name: "Done" });
  });

  it("reads a stored pipeline in position order, review targets as keys", () => {
    const stored = [
      { id: "b", key: "review", kind: "review", name: "Review", position: 1, reviewsNodeId: "a" },
      { id: "a", key: "evaluate", kind: "task", name: "Evaluate", position: 0, form: { criteria: [] } },
      { id: "c", key: "done", kind: "end", name: "Done", position: 2 },
    ] as PipelineNode[];
    const nodes = fromPipeline(stored);
    expect(nodes.map((n) => n.key)).toEqual(["evaluate", "review", "done"]);
    expect(nodes[1]!.reviews).toBe("evaluate");
  });

  it("keeps a node's own heartbeat cap when a pipeline is edited as a new version, not the default", () => {
    const stored = [
      { id: "a", key: "evaluate", kind: "task", name: "Evaluate", position: 0, leaseSeconds: 600, maxLeaseSeconds: 3600, form: { criteria: [newCriterion("rating", [])] } },
      { id: "b", key: "review", kind: "review", name: "Review", position: 1, leaseSeconds: 600, maxLeaseSeconds: 2400, reviewsNodeId: "a" },
      { id: "c", key: "done", kind: "end", name: "Done", position: 2 },
    ] as PipelineNode[];
    const nodes = fromPipeline(stored);
    const def = toDefinition(nodes);
    expect([def[0]!.maxLeaseSeconds, def[1]!.maxLeaseSeconds, def[1]!.reviews]).toEqual([3600, undefined, "evaluate"]);
    // A longer lease than the cap kept: said at the lease, before the server refuses it.
    nodes[0]!.leaseSeconds = 7200;
    expect(validatePipeline("x", nodes)["nodes.0.leaseSeconds"]).toMatch(/At most 60 min/);
    nodes[1]!.leaseSeconds = 7200;
    expect(validatePipeline("x", nodes)["nodes.1.leaseSeconds"]).toBeUndefined();
  });

  it("starts new nodes with sensible defaults", () => {
    const t = newNode("task", []);
    expect(t.form?.criteria).toHaveLength(1);
    expect(newNode("task", [t.key]).key).not.toBe(t.key);
    expect(newNode("end", []).form).toBeUndefined();
  });
});

describe("errorSummary", () => {
  it("blames only the name when only the name is missing, and nothing once it is given", () => {
    expect(errorSummary(validatePipeline("", good()))).toBe("Give the pipeline a name.");
    expect(errorSummary(validatePipeline("Eval", good()))).toBeNull();
  });

  it("names the nodes at fault by number, with the pipeline-wide rule first", () => {
    const nodes = good();
    nodes[0]!.name = "";
    nodes[1]!.reviews = null;
    expect(errorSummary(validatePipeline("Eval", nodes))).toBe("Nodes 1 and 2 need attention.");
    nodes[1]!.reviews = "evaluate";
    expect(errorSummary(validatePipeline("", nodes))).toBe("Give the pipeline a name. Node 1 needs attention.");
    expect(errorSummary(validatePipeline("Eval", good().slice(0, 2)))).toBe("A pipeline has exactly one end node.");
  });
});

describe("leaseText", () => {
  it("reads seconds as words", () => {
    expect([leaseText(45), leaseText(1800), leaseText(9000), leaseText(undefined)]).toEqual(["45 s", "30 min", "2.5 h", ""]);
  });
});

describe("pipeline versions and status", () => {
  it("names a changed or archived pipeline in lists, and only active ones take tasks", () => {
    expect(pipelineLabel({ name: "Evals" })).toBe("Evals");
    expect(pipelineLabel({ name: "Evals", version: 2, status: "active" })).toBe("Evals (v2)");
    expect(pipelineLabel({ name: "Evals", version: 1, status: "archived" })).toBe("Evals (archived)");
    expect([takesTasks({}), takesTasks({ status: "active" }), takesTasks({ status: "archived" })]).toEqual([true, true, false]);
  });
});

import { describe, expect, it } from "vitest";
import { csvRowCount, isCsvName, parseTasksJson } from "./importer";

describe("parseTasksJson", () => {
  it("takes {tasks}, arrays of tasks and arrays of bare payloads", () => {
    expect(parseTasksJson('{"tasks":[{"payload":{"q":1},"priority":2}]}')).toEqual({ ok: true, tasks: [{ payload: { q: 1 }, priority: 2 }] });
    expect(parseTasksJson('[{"payload":{"a":1}},{"payload":{"b":2}}]')).toEqual({ ok: true, tasks: [{ payload: { a: 1 } }, { payload: { b: 2 } }] });
    expect(parseTasksJson('[{"input":"hi","output":"ho"}]')).toEqual({ ok: true, tasks: [{ payload: { input: "hi", output: "ho" } }] });
  });

  it("takes JSON Lines and names the broken line", () => {
    expect(parseTasksJson('{"payload":{"n":1}}\n{"n":2}\n')).toEqual({ ok: true, tasks: [{ payload: { n: 1 } }, { payload: { n: 2 } }] });
    expect(parseTasksJson('{"payload":{}}\n{oops}')).toEqual({ ok: false, error: "Line 2 is not valid JSON." });
  });

  it("refuses empty input and non-integer priorities", () => {
    expect(parseTasksJson("  ").ok).toBe(false);
    expect(parseTasksJson("[]").ok).toBe(false);
    expect(parseTasksJson('[{"payload":{},"priority":1.5}]')).toEqual({ ok: false, error: "Task 1: priority must be a whole number from -1000 to 1000." });
    // The server's range: a larger one would be refused for the whole batch without saying which task.
    expect(parseTasksJson('[{"payload":{}},{"payload":{},"priority":5000}]')).toEqual({ ok: false, error: "Task 2: priority must be a whole number from -1000 to 1000." });
    expect(parseTasksJson('[{"payload":{},"priority":-1000},{"payload":{},"priority":1000}]').ok).toBe(true);
    expect(parseTasksJson('["just text"]')).toEqual({ ok: false, error: "Task 1: the payload must be a JSON object." });
  });
});

describe("CSV preview", () => {
  it("counts records, not the header, with quoted newlines inside a field", () => {
    expect(csvRowCount("input,output\na,b\nc,d\n")).toBe(2);
    expect(csvRowCount('input,output\n"multi\nline",b\r\n')).toBe(1);
    expect(csvRowCount("header only")).toBe(0);
    expect(isCsvName("tasks.CSV")).toBe(true);
    expect(isCsvName("tasks.json")).toBe(false);
  });
});

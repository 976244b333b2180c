import { describe, expect, it } from "vitest";
import { asConversation, payloadSections, toBlock } from "./payload";

describe("payload reading", () => {
  it("shows agent input and output first, named plainly, then the rest", () => {
    const s = payloadSections({ meta_info: { a: 1 }, output: "the answer", input: "the question" });
    expect(s.map((x) => x.title)).toEqual(["Agent input", "Agent output", "Meta info"]);
    expect(s[0]!.block).toEqual({ kind: "text", text: "the question" });
    expect(s[2]!.block.kind).toBe("json");
  });

  it("reads chat messages as a conversation, including text parts", () => {
    const turns = asConversation([
      { role: "user", content: "Hi" },
      { role: "assistant", content: [{ type: "text", text: "Hello" }, { type: "text", text: "there" }] },
    ]);
    expect(turns).toEqual([
      { role: "user", text: "Hi" },
      { role: "assistant", text: "Hello\nthere" },
    ]);
    expect(toBlock({ messages: [{ role: "user", content: "x" }] }).kind).toBe("conversation");
    expect(asConversation([{ role: "user", content: { weird: true } }])).toBeNull();
  });

  it("shows anything else as JSON and an empty payload as empty", () => {
    expect(payloadSections([1, 2])[0]!.block).toEqual({ kind: "json", text: "[\n  1,\n  2\n]" });
    expect(toBlock(null)).toEqual({ kind: "empty" });
    expect(toBlock(3)).toEqual({ kind: "text", text: "3" });
  });
});

import { describe, expect, it } from "vitest";
import { belongsToThread, messageIdList, normaliseMessageId, replyHeaders } from "../../src/mission/outside/threading.js";
import { MemoryEmailGateway } from "../../src/outside/email/memory-gateway.js";
import { testClock } from "../support/clock.js";

describe("email threading", () => {
  it("keeps one form of a Message-ID, with or without brackets and blanks", () => {
    expect(normaliseMessageId(" abc.123@mail.example ")).toBe("<abc.123@mail.example>");
    expect(normaliseMessageId("<abc.123@mail.example>")).toBe("<abc.123@mail.example>");
    expect(normaliseMessageId("")).toBeUndefined();
    expect(messageIdList("<a@x> <b@x>\n <a@x>")).toEqual(["<a@x>", "<b@x>"]);
    expect(messageIdList(["<a@x>", "c@x"])).toEqual(["<a@x>", "<c@x>"]);
  });

  it("a reply belongs to a thread by In-Reply-To or by any of its References", () => {
    expect(belongsToThread({ inReplyTo: "<sent@bot>", references: [] }, ["sent@bot"])).toBe(true);
    expect(belongsToThread({ inReplyTo: "<other@vendor>", references: ["<sent@bot>", "<other@vendor>"] }, ["<sent@bot>"])).toBe(true);
    expect(belongsToThread({ references: ["<unrelated@x>"] }, ["<sent@bot>"])).toBe(false);
    expect(belongsToThread({ inReplyTo: "<sent@bot>", references: [] }, [])).toBe(false);
  });

  it("a reply's headers name its parent last in References", () => {
    expect(replyHeaders({ messageId: "<2@v>", references: ["<1@b>"] })).toEqual({ inReplyTo: "<2@v>", references: ["<1@b>", "<2@v>"] });
  });
});

describe("the in-memory email gateway", () => {
  it("finds the replies of a thread newer than a uid, and none of another thread", async () => {
    const clock = testClock();
    const gateway = new MemoryEmailGateway({ from: "mission@acme.example", now: () => new Date(clock()) });
    const first = await gateway.send({ to: "sales@vendor.example", subject: "Access", text: "Hello" });
    const second = await gateway.send({ to: "other@vendor.example", subject: "Other", text: "Hi" });
    expect(first.messageId).not.toBe(second.messageId);
    const reply = gateway.answer(first, { text: "Your code is 482913" });
    gateway.answer(second, { text: "unrelated" });
    expect(reply.subject).toBe("Re: Access");
    expect((await gateway.replies([first.messageId], 0)).map((m) => m.text)).toEqual(["Your code is 482913"]);
    expect(await gateway.replies([first.messageId], reply.uid)).toEqual([]);
    await gateway.close();
    await expect(gateway.replies([first.messageId], 0)).rejects.toThrow(/closed/);
  });
});

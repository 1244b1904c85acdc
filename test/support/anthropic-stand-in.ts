/**
 * A local stand-in for Anthropic's Messages API (POST /v1/messages), for the
 * planner to reach through ANTHROPIC_BASE_URL: it answers each request after
 * `delayMs` with one text block holding `answer` (by default a valid plan of
 * three milestones of two features), in the Messages API's response shape,
 * and records what it was asked.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface StandInRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: { model?: string; system?: string; messages?: Array<{ role: string; content: unknown }> };
}

export interface AnthropicStandIn {
  /** http://127.0.0.1:<port>: the value for ANTHROPIC_BASE_URL */
  url: string;
  readonly requests: StandInRequest[];
  close(): Promise<void>;
}

/** The plan the stand-in answers with: 3 milestones of 2 features, as the planner's system prompt asks. */
export function standInPlan(): string {
  const milestones = ["Contacts", "Deals", "Email"].map((title, i) => ({
    key: String(i + 1),
    title,
    description: `${title} for the sales team.`,
    features: [1, 2].map((k) => ({
      key: `${i + 1}.${k}`,
      title: `${title} part ${k}`,
      description: "What the worker builds, and how to check it.",
      acceptance: ["It works", "It is tested"],
      size: k === 1 ? "S" : "M",
      depends_on: k === 2 ? [`${i + 1}.1`] : [],
    })),
  }));
  return JSON.stringify({ milestones });
}

export async function startAnthropicStandIn(options: { delayMs?: number; answer?: () => string } = {}): Promise<AnthropicStandIn> {
  const requests: StandInRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body: StandInRequest["body"] = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as StandInRequest["body"];
      } catch {
        // recorded as empty
      }
      requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
      const timer = setTimeout(() => {
        timers.delete(timer);
        const text = (options.answer ?? standInPlan)();
        res.writeHead(200, { "content-type": "application/json", "request-id": `req_standin_${requests.length}` });
        res.end(
          JSON.stringify({
            id: `msg_standin_${requests.length}`,
            type: "message",
            role: "assistant",
            model: body.model ?? "unknown",
            content: [{ type: "text", text }],
            stop_reason: "end_turn",
            stop_sequence: null,
            usage: { input_tokens: 1000, output_tokens: 800 },
          }),
        );
      }, options.delayMs ?? 0);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

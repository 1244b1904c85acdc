import { it } from "vitest";
import { Plan } from "../../../src/mission/model.js";
import { world, approve, botBodies } from "./support.js";
function prose(n: number, seed: string): string {
  const sentence = `Feature ${seed} stores, lists, filters and exports records; each screen is tested and documented. `;
  return sentence.repeat(Math.ceil(n / sentence.length)).slice(0, n);
}
it("dbg", async () => {
  const plan = Plan.parse({ source: "x", milestones: [2,2,2].map((n, i) => ({ key: String(i+1), title: `M${i+1}`, description: "", features: Array.from({length: n}, (_, j) => ({ key: `${i+1}.${j+1}`, title: `F ${i+1}.${j+1}`, size: "M", description: i+j === 0 ? prose(20000, "x") : "d", acceptance: i+j===0 ? Array.from({ length: 60 }, (_, k) => `${k + 1}: ${prose(900, `c ${k + 1}`)}`) : ["ok"] })) })) });
  const { h } = world({ planner: { name: "x", plan: async () => ({ ok: true, plan }) }, play: { manual: () => true }, twin: { secondaryLimits: false } });
  await Promise.race([approve(h).catch((e) => console.log("ERR", String(e))), new Promise((r) => setTimeout(r, 10000))]);
  const byRoute: Record<string, number> = {};
  for (const e of h.twin.log) byRoute[`${e.method} ${e.route} ${e.status}`] = (byRoute[`${e.method} ${e.route} ${e.status}`] ?? 0) + 1;
  console.log(Object.entries(byRoute).sort((a, b) => b[1] - a[1]).slice(0, 15));
  console.log(botBodies(h, 1).map((b) => b.slice(0, 300)));
  console.log(h.errors.length, String(h.errors[0]?.error));
  h.stop();
}, 300_000);

/**
 * GitHub Actions expressions, evaluated as the runner does (with GitHub's
 * own evaluator, @actions/expressions): a job's `if:` and a workflow's
 * `concurrency.group` for an event, so a test can say which events start a
 * job and which group its run joins.
 */
import { Evaluator, Lexer, Parser, data } from "@actions/expressions";
import { parse } from "yaml";

export interface WorkflowEvent {
  name: string;
  payload: Record<string, unknown>;
  /** workflow_dispatch inputs */
  inputs?: Record<string, string>;
  repository?: string;
}

function contexts(e: WorkflowEvent): data.Dictionary {
  const github = {
    event_name: e.name,
    event: e.payload,
    repository: e.repository ?? "acme/crm",
  };
  return JSON.parse(JSON.stringify({ github, inputs: e.inputs ?? {} }), data.reviver) as data.Dictionary;
}

/** The value of one expression (without `${{ }}`). */
export function evaluate(expression: string, e: WorkflowEvent): data.ExpressionData {
  const lexed = new Lexer(expression).lex();
  const tree = new Parser(lexed.tokens, ["github", "inputs"], []).parse();
  return new Evaluator(tree, contexts(e)).evaluate();
}

/** A job's `if:` for the event (no `if`: the job runs). A bare condition is an expression, as GitHub reads it. */
export function jobRuns(workflowText: string, job: string, e: WorkflowEvent): boolean {
  const doc = parse(workflowText) as { jobs: Record<string, { if?: string }> };
  const condition = doc.jobs[job]?.if;
  if (condition === undefined) return true;
  const expression = condition.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, "$1");
  const value = evaluate(expression, e);
  return value.coerceString() !== "false" && value.kind !== data.Kind.Null && !(value.kind === data.Kind.String && value.coerceString() === "");
}

/** The workflow's `concurrency.group` for the event, `${{ }}` parts evaluated. */
export function concurrencyGroup(workflowText: string, e: WorkflowEvent): string {
  const doc = parse(workflowText) as { concurrency: { group: string } | string };
  const group = typeof doc.concurrency === "string" ? doc.concurrency : doc.concurrency.group;
  return group.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => evaluate(expr, e).coerceString());
}

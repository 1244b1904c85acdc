/**
 * Contract checker: would GitHub accept this request?
 *
 * Every request the bot makes in a test is checked against GitHub's published
 * REST description (`@octokit/openapi`, api.github.com, OpenAPI 3.0.3): the
 * route exists, the method is right, path and query parameters satisfy their
 * schemas, required parameters are present, and the JSON body matches the
 * operation's requestBody schema. `checkResponse` does the same for a
 * response body (for fakes/twins that answer in GitHub's name).
 *
 * Loading: the non-dereferenced description (13 MB) is read and parsed once at
 * module load (~0.15 s); `$ref`s are resolved lazily by registering only the
 * component schemas an operation actually uses with ajv, and every validator
 * is compiled on first use and cached. (The dereferenced file is 73 MB and
 * takes ~0.8 s just to parse.)
 *
 * OpenAPI 3.0 → JSON Schema: `nullable: true` becomes `anyOf [schema, null]`,
 * siblings of `$ref` are dropped (as OpenAPI 3.0 says), annotations and `x-*`
 * extensions are dropped, GitHub's custom formats (`repo.nwo`, `timestamp`)
 * are accepted as-is.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import * as ajvFormatsModule from "ajv-formats";

// ---------------------------------------------------------------------------
// Types

export interface ContractRequest {
  method: string;
  /** Full URL (`https://api.github.com/repos/o/r/issues?state=open`) or path with query. */
  url: string;
  /** Parsed JSON, a JSON string, or undefined / "" for no body. */
  body?: unknown;
  headers?: Record<string, string | string[] | undefined>;
}

export interface CheckOptions {
  /**
   * Unknown top-level body properties on an operation whose schema lists its
   * properties but does not say `additionalProperties: false`. GitHub ignores
   * them silently, which in our own code is always a typo or a stale field, so
   * by default they are reported. `"ignore"` checks only what the schema says.
   */
  unknownBodyProperties?: "error" | "ignore";
}

/** The operation a request resolved to (for diagnostics and tests). */
export interface ResolvedRoute {
  method: string;
  /** Path template from the description, e.g. `/repos/{owner}/{repo}/issues/{issue_number}`. */
  template: string;
  operationId: string;
  params: Record<string, string>;
}

// ---------------------------------------------------------------------------
// Loading the description (once per process)

type JsonObject = Record<string, unknown>;

interface OpenApiParameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: JsonObject;
  "x-multi-segment"?: boolean;
}

interface OpenApiOperation {
  operationId: string;
  parameters?: Array<OpenApiParameter | { $ref: string }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonObject }> } | { $ref: string };
  responses?: Record<string, { content?: Record<string, { schema?: JsonObject }> } | { $ref: string }>;
}

type PathItem = Partial<Record<HttpMethod, OpenApiOperation>> & { parameters?: OpenApiOperation["parameters"] };

interface OpenApiDocument {
  openapi: string;
  info: { version: string };
  paths: Record<string, PathItem>;
  components: Record<string, Record<string, unknown>>;
}

const HTTP_METHODS = ["get", "post", "put", "patch", "delete", "head", "options"] as const;
type HttpMethod = (typeof HTTP_METHODS)[number];

const require = createRequire(import.meta.url);
export const DESCRIPTION_PATH: string = require.resolve("@octokit/openapi/generated/api.github.com.json");

export interface ResponseCheckOptions extends CheckOptions {
  /**
   * Accept bodies that leave out required fields (a test mock that returns
   * only the fields the code reads); what is present must still have the
   * documented names and types.
   */
  partial?: boolean;
}

/** One REST description (api.github.com, or an Enterprise Server release), ready to check requests and responses against. */
export interface Description {
  info: { path: string; version: string; loadMs: number };
  resolveRoute(method: string, url: string): ResolvedRoute | undefined;
  checkRequest(req: ContractRequest, options?: CheckOptions): string[];
  checkResponse(method: string, url: string, status: number, body: unknown, headers?: ContractRequest["headers"], options?: ResponseCheckOptions): string[];
  assertRequest(req: ContractRequest, options?: CheckOptions): void;
  toJsonSchema(schema: unknown): unknown;
}

function createDescription(descriptionPath: string): Description {
  const loadStarted = performance.now();
  const doc = JSON.parse(readFileSync(descriptionPath, "utf8")) as OpenApiDocument;

  /** Version of the REST description in use, and how long loading it took (ms). */
  const descriptionInfo = {
    path: descriptionPath,
    version: doc.info.version,
    loadMs: 0,
  };

  // ---------------------------------------------------------------------------
  // Route table

  interface RouteTemplate {
    template: string;
    /** Literal string, or parameter name for `{name}` segments. */
    segments: Array<{ literal: string } | { param: string }>;
    item: PathItem;
    methods: string[];
  }

  function opParameters(item: PathItem, op: OpenApiOperation): OpenApiParameter[] {
    const out = new Map<string, OpenApiParameter>();
    for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
      const resolved = deref<OpenApiParameter>(p);
      out.set(`${resolved.in}:${resolved.name}`, resolved);
    }
    return [...out.values()];
  }

  const routes: RouteTemplate[] = Object.entries(doc.paths).map(([template, item]) => ({
    template,
    segments: template
      .split("/")
      .slice(1)
      .map((s) => {
        const m = /^\{([^}]+)\}$/.exec(s);
        return m ? { param: m[1]! } : { literal: s };
      }),
    item,
    methods: HTTP_METHODS.filter((m) => item[m]).map((m) => m.toUpperCase()),
  }));

  descriptionInfo.loadMs = Math.round(performance.now() - loadStarted);

  /** Parameters that may span several path segments when sent unencoded. */
  function multiSegmentParams(route: RouteTemplate): Set<string> {
    const names = new Set<string>();
    for (const m of HTTP_METHODS) {
      const op = route.item[m];
      if (!op) continue;
      for (const p of opParameters(route.item, op)) {
        if (p.in === "path" && p["x-multi-segment"]) names.add(p.name);
      }
    }
    // GitHub documents refs as `heads/<branch>` in the git refs routes
    // (`/git/ref/heads/main`), also when not URL-encoded.
    if (/\/git\/(ref|refs|matching-refs)\/\{ref\}$/.test(route.template)) names.add("ref");
    return names;
  }

  /**
   * Match decoded path segments against a template. With `multi`, a parameter
   * listed there, when it is the template's last segment, takes all remaining
   * segments.
   */
  function matchTemplate(route: RouteTemplate, segs: string[], multi: Set<string> | undefined): Record<string, string> | undefined {
    const params: Record<string, string> = {};
    const t = route.segments;
    for (let i = 0; i < t.length; i++) {
      const seg = t[i]!;
      if ("literal" in seg) {
        if (segs[i] !== seg.literal) return undefined;
        continue;
      }
      if (i === t.length - 1 && multi?.has(seg.param) && segs.length > t.length) {
        const rest = segs.slice(i);
        if (rest.some((s) => s === "")) return undefined;
        params[seg.param] = rest.join("/");
        return params;
      }
      const value = segs[i];
      if (value === undefined || value === "") return undefined;
      params[seg.param] = value;
    }
    return segs.length === t.length ? params : undefined;
  }

  /** More literal segments, earlier, wins: `/issues/comments` beats `/issues/{issue_number}`. */
  function specificity(a: RouteTemplate, b: RouteTemplate): number {
    const n = Math.max(a.segments.length, b.segments.length);
    for (let i = 0; i < n; i++) {
      const la = a.segments[i] !== undefined && "literal" in a.segments[i]! ? 1 : 0;
      const lb = b.segments[i] !== undefined && "literal" in b.segments[i]! ? 1 : 0;
      if (la !== lb) return lb - la;
    }
    return 0;
  }

  interface Candidate {
    route: RouteTemplate;
    params: Record<string, string>;
  }

  function candidatesFor(pathname: string): Candidate[] | { error: string } {
    const raw = pathname.split("/").slice(1);
    let segs: string[];
    try {
      segs = raw.map((s) => decodeURIComponent(s));
    } catch {
      return { error: `malformed percent-encoding in path ${pathname}` };
    }
    const found: Candidate[] = [];
    for (const route of routes) {
      if (route.segments.length !== segs.length) continue;
      const params = matchTemplate(route, segs, undefined);
      if (params) found.push({ route, params });
    }
    if (found.length === 0) {
      for (const route of routes) {
        if (route.segments.length >= segs.length) continue;
        const multi = multiSegmentParams(route);
        if (multi.size === 0) continue;
        const params = matchTemplate(route, segs, multi);
        if (params) found.push({ route, params });
      }
    }
    return found.sort((a, b) => specificity(a.route, b.route));
  }

  // ---------------------------------------------------------------------------
  // $ref resolution and OpenAPI 3.0 → JSON Schema conversion

  function pointer(ref: string): unknown {
    if (!ref.startsWith("#/")) throw new Error(`unsupported $ref ${ref}`);
    let node: unknown = doc;
    for (const part of ref.slice(2).split("/")) {
      const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
      node = (node as JsonObject | undefined)?.[key];
    }
    if (node === undefined) throw new Error(`dangling $ref ${ref}`);
    return node;
  }

  function deref<T>(value: T | { $ref: string }): T {
    let v: unknown = value;
    for (let i = 0; i < 20 && v && typeof v === "object" && "$ref" in v; i++) {
      v = pointer((v as { $ref: string }).$ref);
    }
    return v as T;
  }

  const SCHEMA_BASE = "https://contract.invalid/openapi";
  const schemaId = (ref: string): string => SCHEMA_BASE + ref.slice(1);

  const KEEP_KEYWORDS = new Set([
    "type",
    "enum",
    "const",
    "required",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "title",
    "description",
    "default",
  ]);
  const SUBSCHEMA_KEYWORDS = new Set(["items", "additionalProperties", "not"]);
  const SUBSCHEMA_LIST_KEYWORDS = new Set(["allOf", "anyOf", "oneOf"]);
  const SUBSCHEMA_MAP_KEYWORDS = new Set(["properties", "patternProperties"]);

  const GITHUB_FORMATS = ["repo.nwo", "timestamp"];

  const ajvFormats = ((ajvFormatsModule as unknown as { default: { default?: unknown } }).default.default ??
    (ajvFormatsModule as unknown as { default: unknown }).default) as (ajv: Ajv) => Ajv;

  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    validateSchema: false,
    // Patterns in GitHub's description are ECMAScript-compatible; keep ajv's
    // default unicode flag.
  });
  ajvFormats(ajv);
  for (const f of GITHUB_FORMATS) ajv.addFormat(f, true);
  // GitHub's own addresses break the strict RFC 5321 check ajv-formats uses
  // ("176727717+mission-bot[bot]@users.noreply.github.com"): any local part, one @.
  ajv.addFormat("email", /^[^\s@]+@[^\s@]+$/);

  const registered = new Set<string>();

  /** Register `#/components/schemas/x` (and what it references) with ajv, once. */
  function ensureRegistered(ref: string): void {
    if (registered.has(ref)) return;
    registered.add(ref);
    const target = pointer(ref) as JsonObject;
    // Wrap: in draft-07, siblings of a root $ref (including $id) are ignored.
    ajv.addSchema({ $id: schemaId(ref), allOf: [toJsonSchema(target)] });
  }

  /** Convert an OpenAPI 3.0 schema object into a draft-07 JSON Schema for ajv. */
  function toJsonSchema(schema: unknown): unknown {
    if (typeof schema === "boolean") return schema;
    if (!schema || typeof schema !== "object") return {};
    const s = schema as JsonObject;
    if (typeof s.$ref === "string") {
      ensureRegistered(s.$ref);
      return { $ref: schemaId(s.$ref) };
    }
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(s)) {
      if (KEEP_KEYWORDS.has(k)) {
        if ((k === "exclusiveMinimum" || k === "exclusiveMaximum") && typeof v === "boolean") continue; // handled below
        out[k] = v;
      } else if (SUBSCHEMA_KEYWORDS.has(k)) {
        out[k] = toJsonSchema(v);
      } else if (SUBSCHEMA_LIST_KEYWORDS.has(k) && Array.isArray(v)) {
        out[k] = v.map((x) => toJsonSchema(x));
      } else if (SUBSCHEMA_MAP_KEYWORDS.has(k) && v && typeof v === "object") {
        out[k] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, toJsonSchema(sub)]));
      }
      // everything else (example, examples, readOnly, discriminator, x-*, …) is an annotation
    }
    // OpenAPI 3.0 boolean exclusiveMinimum/Maximum (draft-04 style).
    if (s.exclusiveMinimum === true && typeof s.minimum === "number") {
      out.exclusiveMinimum = s.minimum;
      delete out.minimum;
    }
    if (s.exclusiveMaximum === true && typeof s.maximum === "number") {
      out.exclusiveMaximum = s.maximum;
      delete out.maximum;
    }
    if (s.nullable === true) return { anyOf: [out, { type: "null" }] };
    return out;
  }

  function compile(schema: unknown): ValidateFunction {
    return ajv.compile(toJsonSchema(schema) as object);
  }

  // ---------------------------------------------------------------------------
  // Error formatting

  function valueAt(data: unknown, instancePath: string): unknown {
    if (!instancePath) return data;
    let node = data;
    for (const part of instancePath.slice(1).split("/")) {
      const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
      node = (node as JsonObject | undefined)?.[key];
    }
    return node;
  }

  function preview(v: unknown, max = 80): string {
    const s = JSON.stringify(v);
    if (s === undefined) return String(v);
    return s.length > max ? `${s.slice(0, max - 3)}...` : s;
  }

  function formatErrors(where: string, errors: ErrorObject[] | null | undefined, data: unknown): string[] {
    if (!errors) return [];
    // A oneOf whose alternatives overlap (e.g. basic-error and
    // repository-rule-violation-error, neither closed) fails when the value fits
    // several of them: the value is documented, the description is ambiguous.
    errors = errors.filter((e) => !(e.keyword === "oneOf" && Array.isArray((e.params as { passingSchemas?: unknown }).passingSchemas)));
    if (!errors.length) return [];
    // Drop the noise ajv reports for `nullable` (anyOf [x, null]) and the
    // summary errors of anyOf/oneOf when more specific errors exist at the same place.
    const specific = new Set(
      errors.filter((e) => !["anyOf", "oneOf"].includes(e.keyword) && !(e.keyword === "type" && e.params.type === "null")).map((e) => e.instancePath),
    );
    const out: string[] = [];
    for (const e of errors) {
      if (e.keyword === "type" && e.params.type === "null" && specific.has(e.instancePath)) continue;
      if (e.keyword === "anyOf" && specific.has(e.instancePath)) continue;
      const at = `${where}${e.instancePath}`;
      let msg: string;
      switch (e.keyword) {
        case "required":
          msg = `${at} is missing required property '${String(e.params.missingProperty)}'`;
          break;
        case "additionalProperties":
          msg = `${at} has unknown property '${String(e.params.additionalProperty)}' (schema says additionalProperties: false)`;
          break;
        case "enum":
          msg = `${at} must be one of ${preview(e.params.allowedValues, 400)} (got ${preview(valueAt(data, e.instancePath))})`;
          break;
        default:
          msg = `${at} ${e.message ?? e.keyword} (got ${preview(valueAt(data, e.instancePath))})`;
      }
      if (!out.includes(msg)) out.push(msg);
    }
    return out;
  }

  // ---------------------------------------------------------------------------
  // Parameters (path and query values arrive as strings)

  const paramValidators = new Map<string, ValidateFunction>();

  function paramValidator(key: string, schema: JsonObject | undefined): ValidateFunction {
    let v = paramValidators.get(key);
    if (!v) {
      v = compile(schema ?? {});
      paramValidators.set(key, v);
    }
    return v;
  }

  /** Typed readings of a string parameter: "12" may be the integer 12 or the string "12". */
  function readings(raw: string): unknown[] {
    const out: unknown[] = [raw];
    if (/^-?\d+$/.test(raw)) out.unshift(Number(raw));
    else if (/^-?\d*\.\d+(e[-+]?\d+)?$/i.test(raw)) out.unshift(Number(raw));
    if (raw === "true") out.unshift(true);
    if (raw === "false") out.unshift(false);
    return out;
  }

  function schemaIsArray(schema: JsonObject | undefined): boolean {
    return !!schema && (schema.type === "array" || (Array.isArray(schema.type) && schema.type.includes("array")));
  }

  function checkParam(key: string, where: string, param: OpenApiParameter, raws: string[]): string[] {
    const validate = paramValidator(key, param.schema);
    let candidates: unknown[][];
    if (schemaIsArray(param.schema)) {
      const items = raws.flatMap((r) => r.split(","));
      // each item read independently; try the most typed reading first
      candidates = [items.map((i) => readings(i)[0]), items];
    } else {
      if (raws.length > 1) return [`${where} ${param.name} is given ${raws.length} times but is not an array`];
      candidates = readings(raws[0]!).map((r) => [r]);
    }
    let firstErrors: ErrorObject[] | null | undefined;
    for (const c of candidates) {
      const value = schemaIsArray(param.schema) ? c : c[0];
      if (validate(value)) return [];
      firstErrors ??= validate.errors ? [...validate.errors] : null;
    }
    const shown = raws.join(",");
    const reasons = formatErrors("", firstErrors, undefined)
      .map((m) => m.replace(/ \(got .*\)$/, ""))
      .map((m) => m.trim());
    return [`${where} ${param.name}=${JSON.stringify(shown)} is invalid: ${reasons.join("; ") || "does not match its schema"}`];
  }

  // ---------------------------------------------------------------------------
  // Request bodies

  const bodyValidators = new Map<string, ValidateFunction>();

  function bodyValidator(key: string, schema: JsonObject): ValidateFunction {
    let v = bodyValidators.get(key);
    if (!v) {
      v = compile(schema);
      bodyValidators.set(key, v);
    }
    return v;
  }

  function isEmptyBody(body: unknown): boolean {
    return body === undefined || body === null || body === "";
  }

  function headerValue(headers: ContractRequest["headers"], name: string): string | undefined {
    if (!headers) return undefined;
    for (const [k, v] of Object.entries(headers)) {
      if (k.toLowerCase() === name) return Array.isArray(v) ? v.join(", ") : v;
    }
    return undefined;
  }

  function isJsonMediaType(ct: string): boolean {
    return /^application\/([\w.+-]*\+)?json\b/i.test(ct.trim());
  }

  /** The body as a JSON value, or a problem. Strings are parsed when the content type is JSON (or unknown). */
  function parseJsonBody(body: unknown, contentType: string | undefined): { value: unknown } | { problem: string } {
    if (typeof body === "string") {
      if (contentType && !isJsonMediaType(contentType)) return { value: body };
      try {
        return { value: JSON.parse(body) };
      } catch {
        return { problem: `request body is not valid JSON: ${preview(body)}` };
      }
    }
    if (body instanceof Uint8Array) {
      return parseJsonBody(Buffer.from(body).toString("utf8"), contentType);
    }
    return { value: body };
  }

  // ---------------------------------------------------------------------------
  // URL handling

  interface ParsedUrl {
    pathname: string;
    query: URLSearchParams;
  }

  function parseUrl(url: string): ParsedUrl | { problem: string } {
    let u: URL;
    const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
    try {
      u = new URL(url, "https://api.github.com");
    } catch {
      return { problem: `not a URL: ${url}` };
    }
    let pathname = u.pathname;
    if (absolute) {
      if (u.protocol !== "https:" && u.hostname !== "127.0.0.1" && u.hostname !== "localhost") {
        return { problem: `GitHub's API is only served over https, got ${u.protocol}//${u.host}` };
      }
      if (u.hostname === "api.github.com") {
        // fine
      } else if (pathname === "/api/v3" || pathname.startsWith("/api/v3/") || pathname === "/api/graphql") {
        // GitHub Enterprise Server style base URL
      } else {
        return { problem: `not a GitHub API URL: ${u.origin}${pathname} (expected https://api.github.com or <host>/api/v3)` };
      }
    }
    if (pathname === "/api/graphql") pathname = "/graphql";
    else if (pathname.startsWith("/api/v3/")) pathname = pathname.slice("/api/v3".length);
    return { pathname, query: u.searchParams };
  }

  // ---------------------------------------------------------------------------
  // GraphQL

  function checkGraphql(method: string, body: unknown, query: URLSearchParams, headers: ContractRequest["headers"]): string[] {
    if (method !== "POST") return [`${method} /graphql: GitHub's GraphQL endpoint only accepts POST`];
    const problems: string[] = [];
    for (const k of query.keys()) problems.push(`POST /graphql: unexpected query parameter '${k}'`);
    const parsed = parseJsonBody(body, headerValue(headers, "content-type"));
    if ("problem" in parsed) return [...problems, `POST /graphql: ${parsed.problem}`];
    const b = parsed.value;
    if (!b || typeof b !== "object" || Array.isArray(b)) return [...problems, "POST /graphql: body must be a JSON object with a string `query`"];
    const o = b as JsonObject;
    if (typeof o.query !== "string" || o.query.trim() === "") problems.push("POST /graphql: body.query must be a non-empty string");
    if (o.variables !== undefined && o.variables !== null && (typeof o.variables !== "object" || Array.isArray(o.variables))) {
      problems.push("POST /graphql: body.variables must be an object");
    }
    if (o.operationName !== undefined && o.operationName !== null && typeof o.operationName !== "string") {
      problems.push("POST /graphql: body.operationName must be a string");
    }
    for (const k of Object.keys(o)) {
      if (!["query", "variables", "operationName"].includes(k)) problems.push(`POST /graphql: unknown body property '${k}'`);
    }
    return problems;
  }

  // ---------------------------------------------------------------------------
  // Route resolution

  type Resolution =
    | { ok: true; route: RouteTemplate; op: OpenApiOperation; params: Record<string, string>; method: HttpMethod }
    | { ok: false; problems: string[] };

  function resolve(methodIn: string, pathname: string): Resolution {
    const method = methodIn.toLowerCase() as HttpMethod;
    const label = `${methodIn.toUpperCase()} ${pathname}`;
    if (!HTTP_METHODS.includes(method)) return { ok: false, problems: [`${label}: unsupported HTTP method`] };
    const found = candidatesFor(pathname);
    if ("error" in found) return { ok: false, problems: [`${label}: ${found.error}`] };
    if (found.length === 0) return { ok: false, problems: [`no such route: ${label}${suggest(method, pathname)}`] };

    const best = found[0]!;
    const withMethod = found.filter((c) => c.route.item[method]);
    if (withMethod.length === 0) {
      return {
        ok: false,
        problems: [
          `wrong method: ${label} matches ${best.route.template}, which allows ${best.route.methods.join(", ")}, not ${methodIn.toUpperCase()}${suggest(method, pathname)}`,
        ],
      };
    }
    if (best.route.item[method]) {
      return { ok: true, route: best.route, op: best.route.item[method]!, params: best.params, method };
    }
    // The most specific template lacks this method; a less specific one has it.
    // Accept it only if its path parameters are valid (e.g. PATCH
    // /issues/comments must not resolve to /issues/{issue_number}).
    for (const c of withMethod) {
      const op = c.route.item[method]!;
      if (pathParamProblems(c.route, op, c.params, label).length === 0) {
        return { ok: true, route: c.route, op, params: c.params, method };
      }
    }
    return {
      ok: false,
      problems: [`wrong method: ${label} matches ${best.route.template}, which allows ${best.route.methods.join(", ")}, not ${methodIn.toUpperCase()}`],
    };
  }

  function editDistance(a: string, b: string): number {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      for (let j = 1; j <= b.length; j++) {
        cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
      prev = cur;
    }
    return prev[b.length]!;
  }

  /** ` (did you mean POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues?)` for near misses. */
  function suggest(method: HttpMethod, pathname: string): string {
    const segs = pathname.split("/").slice(1);
    const near: string[] = [];
    for (const route of routes) {
      if (!route.item[method] || route.segments.length !== segs.length) continue;
      let misses = 0;
      for (let i = 0; i < segs.length && misses < 2; i++) {
        const t = route.segments[i]!;
        if ("literal" in t && t.literal !== segs[i]) misses += editDistance(t.literal, segs[i]!) <= 2 ? 1 : 2;
      }
      if (misses === 1) near.push(`${method.toUpperCase()} ${route.template}`);
    }
    return near.length > 0 && near.length <= 3 ? ` (did you mean ${near.join(" or ")}?)` : "";
  }

  function pathParamProblems(route: RouteTemplate, op: OpenApiOperation, params: Record<string, string>, label: string): string[] {
    const problems: string[] = [];
    const declared = opParameters(route.item, op).filter((p) => p.in === "path");
    for (const p of declared) {
      const raw = params[p.name];
      if (raw === undefined) {
        problems.push(`${label}: path parameter ${p.name} is not in template ${route.template}`);
        continue;
      }
      problems.push(...checkParam(`${op.operationId}:path:${p.name}`, `${label}: path parameter`, p, [raw]));
    }
    return problems;
  }

  /** Resolve a method + URL to its documented operation, or undefined. */
  function resolveRoute(method: string, url: string): ResolvedRoute | undefined {
    const parsed = parseUrl(url);
    if ("problem" in parsed) return undefined;
    const r = resolve(method, parsed.pathname);
    if (!r.ok) return undefined;
    return { method: method.toUpperCase(), template: r.route.template, operationId: r.op.operationId, params: r.params };
  }

  // ---------------------------------------------------------------------------
  // checkRequest

  /**
   * Problems GitHub would have with this request; empty if it would accept it
   * (as far as the published description can tell).
   */
  function checkRequest(req: ContractRequest, options: CheckOptions = {}): string[] {
    const parsed = parseUrl(req.url);
    const methodUpper = req.method.toUpperCase();
    if ("problem" in parsed) return [`${methodUpper} ${req.url}: ${parsed.problem}`];
    const { pathname, query } = parsed;
    const label = `${methodUpper} ${pathname}`;

    if (pathname === "/graphql") return checkGraphql(methodUpper, req.body, query, req.headers);

    const r = resolve(req.method, pathname);
    if (!r.ok) return r.problems;
    const { route, op } = r;
    const problems: string[] = [];
    const opLabel = `${label} (${op.operationId})`;

    // path parameters
    problems.push(...pathParamProblems(route, op, r.params, opLabel));

    // query parameters
    const params = opParameters(route.item, op);
    const queryParams = new Map(params.filter((p) => p.in === "query").map((p) => [p.name, p]));
    const seen = new Map<string, string[]>();
    for (const [k, v] of query) {
      const name = k.endsWith("[]") ? k.slice(0, -2) : k;
      seen.set(name, [...(seen.get(name) ?? []), v]);
    }
    for (const [name, values] of seen) {
      const p = queryParams.get(name);
      if (!p) {
        const known = [...queryParams.keys()];
        problems.push(`${opLabel}: unknown query parameter '${name}' (documented: ${known.length ? known.join(", ") : "none"})`);
        continue;
      }
      problems.push(...checkParam(`${op.operationId}:query:${name}`, `${opLabel}: query parameter`, p, values));
    }
    for (const p of queryParams.values()) {
      if (p.required && !seen.has(p.name)) problems.push(`${opLabel}: missing required query parameter '${p.name}'`);
    }

    // body
    const contentType = headerValue(req.headers, "content-type");
    const rb = op.requestBody ? deref<Exclude<OpenApiOperation["requestBody"], { $ref: string } | undefined>>(op.requestBody) : undefined;
    const emptyBody = isEmptyBody(req.body);
    if (!rb) {
      if (!emptyBody && !(typeof req.body === "object" && req.body && !Array.isArray(req.body) && Object.keys(req.body).length === 0)) {
        problems.push(`${opLabel}: this operation takes no request body, got ${preview(req.body)}`);
      }
      return problems;
    }
    if (emptyBody) {
      if (rb.required) problems.push(`${opLabel}: request body is required`);
      return problems;
    }
    const content = rb.content ?? {};
    const mediaTypes = Object.keys(content);
    let mediaType: string | undefined;
    if (contentType) {
      const base = contentType.split(";")[0]!.trim().toLowerCase();
      mediaType = mediaTypes.find((m) => m.toLowerCase() === base) ?? (isJsonMediaType(base) ? mediaTypes.find((m) => isJsonMediaType(m)) : undefined);
      if (!mediaType) {
        problems.push(`${opLabel}: content-type ${base} is not accepted (documented: ${mediaTypes.join(", ")})`);
        return problems;
      }
    } else {
      mediaType = mediaTypes.find((m) => isJsonMediaType(m)) ?? mediaTypes[0];
    }
    if (!mediaType || !isJsonMediaType(mediaType)) return problems; // raw bodies (text/plain, octet-stream): not validated
    const schema = content[mediaType]?.schema;
    if (!schema) return problems;

    const body = parseJsonBody(req.body, contentType);
    if ("problem" in body) {
      problems.push(`${opLabel}: ${body.problem}`);
      return problems;
    }
    let validate: ValidateFunction;
    try {
      validate = bodyValidator(`${op.operationId}:${mediaType}`, schema);
    } catch (e) {
      problems.push(`${opLabel}: contract checker could not compile the body schema: ${(e as Error).message}`);
      return problems;
    }
    if (!validate(body.value)) problems.push(...formatErrors(`${opLabel}: body`, validate.errors, body.value));

    if ((options.unknownBodyProperties ?? "error") === "error") {
      problems.push(
        ...unknownTopLevel(deref<JsonObject>(schema), body.value, `${opLabel}: body`, "not in GitHub's schema; GitHub would silently ignore it", problems),
      );
    }
    return problems;
  }

  /**
   * Top-level properties not listed by a schema that lists its properties but
   * leaves `additionalProperties` unspecified. `where` is e.g. "POST /x (op): body".
   */
  function unknownTopLevel(schema: JsonObject, value: unknown, where: string, note: string, already: string[]): string[] {
    if (!value || typeof value !== "object" || Array.isArray(value)) return [];
    if (schema.type !== "object" || !schema.properties || schema.additionalProperties !== undefined) return [];
    const known = Object.keys(schema.properties as JsonObject);
    const out: string[] = [];
    for (const k of Object.keys(value)) {
      if (known.includes(k)) continue;
      if (already.some((m) => m.startsWith(where) && m.includes(`unknown property '${k}'`))) continue;
      out.push(`${where} has unknown property '${k}' (${note}; documented: ${known.join(", ")})`);
    }
    return out;
  }

  // ---------------------------------------------------------------------------
  // checkResponse

  const responseValidators = new Map<string, ValidateFunction>();


  const GENERIC_ERROR_STATUSES = new Set([401, 403, 429, 500, 502, 503, 504]);

  /**
   * Problems with a response GitHub is supposed to have sent: the status must
   * be documented for the operation and a JSON body must match its schema.
   */
  function checkResponse(
    method: string,
    url: string,
    status: number,
    body: unknown,
    headers?: ContractRequest["headers"],
    options: ResponseCheckOptions = {},
  ): string[] {
    const parsed = parseUrl(url);
    if ("problem" in parsed) return [`${method.toUpperCase()} ${url}: ${parsed.problem}`];
    if (parsed.pathname === "/graphql") return [];
    const r = resolve(method, parsed.pathname);
    if (!r.ok) return r.problems;
    const opLabel = `${method.toUpperCase()} ${parsed.pathname} (${r.op.operationId}) → ${status}`;
    const responses = r.op.responses ?? {};
    const entry = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    if (!entry) {
      // Any endpoint can answer with these (auth, rate limits, outages) whether documented or not.
      if (GENERIC_ERROR_STATUSES.has(status)) return [];
      return [`${opLabel}: status ${status} is not documented (documented: ${Object.keys(responses).join(", ")})`];
    }
    const res = deref<{ content?: Record<string, { schema?: JsonObject }> }>(entry);
    const content = res.content ?? {};
    const mediaTypes = Object.keys(content);
    if (mediaTypes.length === 0) {
      return isEmptyBody(body) ? [] : [`${opLabel}: GitHub sends no body with this status, got ${preview(body)}`];
    }
    const contentType = headerValue(headers, "content-type");
    const mediaType = contentType
      ? mediaTypes.find((m) => m.toLowerCase() === contentType.split(";")[0]!.trim().toLowerCase()) ?? mediaTypes.find((m) => isJsonMediaType(m))
      : mediaTypes.find((m) => isJsonMediaType(m));
    if (!mediaType) return [];
    const schema = content[mediaType]?.schema;
    if (!schema) return [];
    const value = parseJsonBody(body, contentType);
    if ("problem" in value) return [`${opLabel}: response ${value.problem}`];
    const key = `${r.op.operationId}:${status}:${mediaType}`;
    let validate = responseValidators.get(key);
    if (!validate) {
      try {
        validate = compile(schema);
      } catch (e) {
        return [`${opLabel}: contract checker could not compile the response schema: ${(e as Error).message}`];
      }
      responseValidators.set(key, validate);
    }
    const problems = validate(value.value) ? [] : formatErrors(`${opLabel}: response body`, knownDescriptionBugs(r.op.operationId, validate.errors), value.value);
    if ((options.unknownBodyProperties ?? "error") === "error") {
      const top = deref<JsonObject>(schema);
      if (top.type === "array" && top.items && Array.isArray(value.value)) {
        const items = deref<JsonObject>(top.items as JsonObject);
        value.value.forEach((v, i) =>
          problems.push(...unknownTopLevel(items, v, `${opLabel}: response body/${i}`, "GitHub does not send it", problems)),
        );
      } else {
        problems.push(...unknownTopLevel(top, value.value, `${opLabel}: response body`, "GitHub does not send it", problems));
      }
    }
    if (options.partial) return problems.filter((m) => !/ is missing required property '/.test(m));
    return problems;
  }

  /** Throw with every problem listed if the request would be rejected. */
  function assertRequest(req: ContractRequest, options?: CheckOptions): void {
    const problems = checkRequest(req, options);
    if (problems.length) throw new Error(`GitHub contract violated:\n  ${problems.join("\n  ")}`);
  }

  return { info: descriptionInfo, resolveRoute, checkRequest, checkResponse, assertRequest, toJsonSchema };
}

/**
 * Errors that come from a bug in GitHub's description, not from the answer:
 * an installation's `account` is documented as simple-user AND enterprise
 * (`allOf`, where `anyOf` was meant: the repository's own components say
 * anyOf), which no real answer satisfies; GitHub sends a simple-user.
 */
function knownDescriptionBugs(operationId: string | undefined, errors: ErrorObject[] | null | undefined): ErrorObject[] | null | undefined {
  if (!errors || !operationId?.startsWith("apps/")) return errors;
  const accountEnterprise = (e: ErrorObject) => /\/account\/(anyOf\/0\/)?allOf\/1\//.test(e.schemaPath) && e.keyword === "required";
  if (!errors.some(accountEnterprise)) return errors;
  const rest = errors.filter((e) => !accountEnterprise(e) && !(/\/account$/.test(e.instancePath) && (e.keyword === "anyOf" || (e.keyword === "type" && e.params.type === "null"))));
  return rest.length ? rest : null;
}

const descriptions = new Map<string, Description>();

/**
 * The REST description in `@octokit/openapi/generated/<name>.json`:
 * "api.github.com" (the default), "ghec", "ghes-3.17" … "ghes-3.19".
 * Each is read once, when first asked for.
 */
export function description(name = "api.github.com"): Description {
  let d = descriptions.get(name);
  if (!d) {
    d = createDescription(require.resolve(`@octokit/openapi/generated/${name}.json`));
    descriptions.set(name, d);
  }
  return d;
}

const main = description();

/** Version of the REST description in use, and how long loading it took (ms). */
export const descriptionInfo = main.info;
/** Resolve a method + URL to its documented operation, or undefined. */
export const resolveRoute = main.resolveRoute;
/** Problems GitHub would have with this request; empty if it would accept it (as far as the published description can tell). */
export const checkRequest = main.checkRequest;
/** Problems with a response GitHub is supposed to have sent: the status must be documented for the operation and a JSON body must match its schema. */
export const checkResponse = main.checkResponse;
/** Throw with every problem listed if the request would be rejected. */
export const assertRequest = main.assertRequest;
/** Convert an OpenAPI 3.0 schema object into a draft-07 JSON Schema for ajv (components registered with the api.github.com description). */
export const toJsonSchema = main.toJsonSchema;

/**
 * docker-compose.yml, read with `yaml` (Docker does not run here): the App
 * built from this Dockerfile, two replicas, sharing the Redis service
 * through REDIS_URL, started once Redis answers, each with the image's own
 * health check; the App's secrets required from the environment, never
 * written in the file; every setting it passes one the README documents.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseDockerfile } from "../support/dockerfile.js";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

interface Service {
  build?: string | { context: string };
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  healthcheck?: { test: string[] };
  ports?: string[];
}

const compose = parse(read("docker-compose.yml")) as { services: Record<string, Service> };
const app = compose.services.app!;
const redis = compose.services.redis!;

describe("docker-compose.yml", () => {
  it("has the App, built from this repository's Dockerfile, and Redis", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["app", "redis"]);
    expect(typeof app.build === "string" ? app.build : app.build?.context).toBe(".");
    expect(redis.image).toMatch(/^redis:\d+(\.\d+)*(-[a-z]+)?$/);
  });

  it("runs two replicas sharing the Redis service (REDIS_URL), each on a host port of its own", () => {
    expect(app.deploy?.replicas).toBe(2);
    expect(app.environment?.REDIS_URL).toBe("redis://redis:6379");
    // one container port, a range of host ports: one each
    expect(app.ports).toEqual(["3000-3001:3000"]);
  });

  it("starts the replicas once Redis answers; Redis keeps nothing on disk and never evicts a job", () => {
    expect(app.depends_on).toEqual({ redis: { condition: "service_healthy" } });
    expect(redis.healthcheck?.test).toEqual(["CMD", "redis-cli", "ping"]);
    expect(redis.command).toEqual(expect.arrayContaining(["--maxmemory-policy", "noeviction"]));
  });

  it("checks each replica's health as the image does (the Dockerfile's HEALTHCHECK)", () => {
    const image = parseDockerfile(read("Dockerfile")).at(-1)!;
    const check = image.steps.find((s) => s.kind === "HEALTHCHECK");
    expect(check && check.kind === "HEALTHCHECK" && check.command.form === "exec").toBe(true);
    expect(app.healthcheck?.test).toEqual(["CMD", ...(check as { command: { argv: string[] } }).command.argv]);
  });

  it("requires the App's secrets from the environment and writes none in the file", () => {
    for (const name of ["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET"]) expect(app.environment?.[name]).toMatch(new RegExp(`^\\$\\{${name}:\\?.+\\}$`));
    for (const [name, value] of Object.entries(app.environment ?? {})) {
      if (name === "REDIS_URL") continue;
      expect(value, name).toMatch(/^\$\{[A-Z_]+(:[?-].*)?\}$/);
    }
  });

  it("passes only settings the README documents", () => {
    const readme = read("README.md");
    for (const name of Object.keys(app.environment ?? {})) expect(readme, name).toContain(`\`${name}\``);
  });
});

/**
 * The container a worker's agent runs in, read from the docker command
 * lines the agent mode runs (docker itself does not run here): what it
 * mounts, what it may do, and what it is told.
 */
import { describe, expect, it } from "vitest";
import { agentEnvironment, dockerRunArgs, networkCreateArgs, type AgentContainer } from "../../src/worker/container.js";

const TOKEN = "run-token-0123456789abcdefghijklmnopqrstuv";

const container: AgentContainer = {
  name: "mission-agent-4242-1",
  image: "node:24-bookworm",
  network: "mission-agent",
  uid: 1001,
  gid: 118,
  workspace: "/home/runner/work/crm/crm",
  home: "/home/runner/work/_temp/mission-agent-home",
  promptFile: "/home/runner/work/_temp/mission-prompt/prompt.md",
  agentCli: "/home/runner/work/_temp/mission-agent-cli",
  env: ["ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY", "HTTPS_PROXY"],
  command: 'node /opt/mission-agent/node_modules/@anthropic-ai/claude-code/cli-wrapper.cjs -p < "$MISSION_PROMPT_FILE"',
};

/** The value after a flag, for each time the flag occurs. */
function values(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
}

describe("the agent's container", () => {
  const args = dockerRunArgs(container);

  it("runs the command with bash in the image, removed when it ends, named so it can be stopped", () => {
    expect(args.slice(0, 4)).toEqual(["run", "--rm", "--name", "mission-agent-4242-1"]);
    expect(args.slice(-4)).toEqual(["node:24-bookworm", "bash", "-c", container.command]);
  });

  it("runs as the runner's user, not root, with no capability and no way to gain privileges (no sudo)", () => {
    expect(values(args, "--user")).toEqual(["1001:118"]);
    expect(values(args, "--cap-drop")).toEqual(["ALL"]);
    expect(values(args, "--security-opt")).toEqual(["no-new-privileges"]);
    expect(args.filter((a) => ["--privileged", "--cap-add", "--pid", "--ipc", "--userns", "--device"].includes(a.split("=")[0]!))).toEqual([]);
    expect(args.join(" ")).not.toContain("docker.sock");
    expect(() => dockerRunArgs({ ...container, uid: 0 })).toThrow("the agent never runs as root");
  });

  it("is on the internal agent network only", () => {
    expect(values(args, "--network")).toEqual(["mission-agent"]);
    expect(networkCreateArgs("mission-agent")).toEqual(["network", "create", "--internal", "--driver", "bridge", "mission-agent"]);
  });

  it("mounts the checkout with its .git read-only, a home, the prompt and the agent CLI read-only, and nothing else", () => {
    expect(values(args, "--mount")).toEqual([
      "type=bind,source=/home/runner/work/crm/crm,target=/workspace",
      "type=bind,source=/home/runner/work/crm/crm/.git,target=/workspace/.git,readonly",
      "type=bind,source=/home/runner/work/_temp/mission-agent-home,target=/home/mission",
      "type=bind,source=/home/runner/work/_temp/mission-prompt/prompt.md,target=/run/mission/prompt.md,readonly",
      "type=bind,source=/home/runner/work/_temp/mission-agent-cli,target=/opt/mission-agent,readonly",
    ]);
    expect(values(args, "--workdir")).toEqual(["/workspace"]);
    expect(args).not.toContain("-v");
    const { agentCli: _cli, ...withoutCli } = container;
    expect(values(dockerRunArgs(withoutCli), "--mount")).toHaveLength(4);
  });

  it("takes variables by name from docker's own environment, so no value (the run token) is on a command line", () => {
    expect(values(args, "--env")).toEqual(["ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY", "HTTPS_PROXY"]);
    expect(args.join(" ")).not.toContain(TOKEN);
    expect(() => dockerRunArgs({ ...container, env: ["A=b"] })).toThrow('not a variable name: "A=b"');
  });

  it("refuses a mount path that could add mount options", () => {
    expect(() => dockerRunArgs({ ...container, workspace: "/tmp/x,readonly=false" })).toThrow("cannot mount");
    expect(() => dockerRunArgs({ ...container, home: "relative/home" })).toThrow("cannot mount");
  });
});

describe("what the agent is told", () => {
  const env = agentEnvironment({
    proxyHost: "172.18.0.1",
    modelPort: 40001,
    egressPort: 40002,
    token: TOKEN,
    mission: "m-20261124-crm",
    feature: "2.3",
    mode: "poc",
    model: "claude-sonnet-5-5",
    maxTurns: 120,
    maxCostUsd: 2.5,
  });

  it("reaches the model API only through the metering proxy, with the run's token for a key", () => {
    expect(env.ANTHROPIC_BASE_URL).toBe("http://172.18.0.1:40001");
    expect(env.ANTHROPIC_API_KEY).toBe(TOKEN);
    expect(env.NO_PROXY).toBe("172.18.0.1");
    expect(Object.keys(env).filter((k) => /KEY|TOKEN|SECRET/.test(k))).toEqual(["ANTHROPIC_API_KEY"]);
  });

  it("reaches everything else through the egress proxy, with the run's token as its password", () => {
    for (const name of ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]) expect(env[name]).toBe(`http://mission:${TOKEN}@172.18.0.1:40002`);
    expect(env.NODE_USE_ENV_PROXY).toBe("1");
  });

  it("turns off what would only be refused: updates, telemetry, error reports", () => {
    expect(env).toMatchObject({ DISABLE_AUTOUPDATER: "1", DISABLE_TELEMETRY: "1", DISABLE_ERROR_REPORTING: "1", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" });
  });

  it("gives the agent command the run's limits and where its prompt is", () => {
    expect(env).toMatchObject({
      MISSION_MODEL: "claude-sonnet-5-5",
      MISSION_MAX_TURNS: "120",
      MISSION_MAX_COST_USD: "2.5",
      MISSION_PROMPT_FILE: "/run/mission/prompt.md",
      HOME: "/home/mission",
    });
  });
});

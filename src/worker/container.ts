/**
 * The container a worker's agent runs in, as `docker` command lines. Pure:
 * the agent mode runs them (src/worker/docker.ts), tests read them.
 *
 * What the agent can reach, and nothing more:
 * - the checkout at /workspace, writable, except its .git (read-only: the
 *   agent cannot commit, set hooks or change git's configuration, which
 *   the worker's own git steps later read);
 * - its home directory, the prompt (read-only) and the pinned agent CLI
 *   (read-only);
 * - the network: only the agent network, created `--internal` (no route
 *   out, and Docker's DNS answers no outside name), on which the runner
 *   holds one address: the gateway, where the metering proxy (the model
 *   API) and the egress proxy (HTTPS to allow-listed hosts) listen.
 * It runs as the runner's own user id (not root), with every capability
 * dropped and no-new-privileges (so no sudo, no setuid), without the
 * Docker socket, and in its own process namespace: it cannot read the
 * proxy's memory or environment, where the model key is.
 */
import { AGENT_CLI_DIR } from "../mission/workers/worker-prompt.js";

export const WORKSPACE_DIR = "/workspace";
export const HOME_DIR = "/home/mission";
export const PROMPT_PATH = "/run/mission/prompt.md";

export interface AgentContainer {
  name: string;
  image: string;
  /** the internal network the proxies listen on */
  network: string;
  uid: number;
  gid: number;
  /** host paths */
  workspace: string;
  home: string;
  promptFile: string;
  /** the installed agent CLI, when the command uses it */
  agentCli?: string;
  /** names of the variables passed from the docker command's own environment (values never on its command line) */
  env: readonly string[];
  command: string;
}

function mount(source: string, target: string, readonly = false): string[] {
  if (!source.startsWith("/") || /[,\n]/.test(source)) throw new Error(`cannot mount ${JSON.stringify(source)}: an absolute path without commas is needed`);
  return ["--mount", `type=bind,source=${source},target=${target}${readonly ? ",readonly" : ""}`];
}

/** `docker run` for the agent: removed when it ends, stopped by name when it runs too long. */
export function dockerRunArgs(c: AgentContainer): string[] {
  if (c.uid === 0) throw new Error("the agent never runs as root: use a runner whose user is not root (GitHub's hosted runners run as runner)");
  for (const name of c.env) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a variable name: ${JSON.stringify(name)}`);
  return [
    "run",
    "--rm",
    "--name",
    c.name,
    "--network",
    c.network,
    "--user",
    `${c.uid}:${c.gid}`,
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "--pids-limit",
    "4096",
    "--init",
    "--workdir",
    WORKSPACE_DIR,
    ...mount(c.workspace, WORKSPACE_DIR),
    ...mount(`${c.workspace}/.git`, `${WORKSPACE_DIR}/.git`, true),
    ...mount(c.home, HOME_DIR),
    ...mount(c.promptFile, PROMPT_PATH, true),
    ...(c.agentCli ? mount(c.agentCli, AGENT_CLI_DIR, true) : []),
    ...c.env.flatMap((name) => ["--env", name]),
    c.image,
    "bash",
    "-c",
    c.command,
  ];
}

/** The network the agent's container is alone on with the runner: no route beyond it. */
export function networkCreateArgs(network: string): string[] {
  return ["network", "create", "--internal", "--driver", "bridge", network];
}

/** The network's gateway addresses (the runner's side), one per line. */
export function networkGatewayArgs(network: string): string[] {
  return ["network", "inspect", "--format", "{{range .IPAM.Config}}{{println .Gateway}}{{end}}", network];
}

export function stopArgs(name: string): string[] {
  return ["kill", name];
}

export interface AgentSettings {
  proxyHost: string;
  modelPort: number;
  egressPort: number;
  token: string;
  mission: string;
  feature: string;
  mode: string;
  model: string;
  maxTurns: number;
  maxCostUsd?: number;
}

/**
 * The agent's environment: the model API is the metering proxy (the run's
 * token as its key), every other HTTPS request goes through the egress
 * proxy; Claude Code's updater, telemetry and error reports are off (they
 * would only be refused); the worker's limits for the agent command.
 */
export function agentEnvironment(a: AgentSettings): Record<string, string> {
  const host = a.proxyHost.includes(":") ? `[${a.proxyHost}]` : a.proxyHost;
  const egress = `http://mission:${a.token}@${host}:${a.egressPort}`;
  return {
    ANTHROPIC_BASE_URL: `http://${host}:${a.modelPort}`,
    ANTHROPIC_API_KEY: a.token,
    HTTPS_PROXY: egress,
    https_proxy: egress,
    HTTP_PROXY: egress,
    http_proxy: egress,
    NO_PROXY: a.proxyHost,
    no_proxy: a.proxyHost,
    NODE_USE_ENV_PROXY: "1",
    HOME: HOME_DIR,
    CI: "true",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    MISSION_ID: a.mission,
    MISSION_FEATURE: a.feature,
    MISSION_MODE: a.mode,
    MISSION_MODEL: a.model,
    MISSION_MAX_TURNS: String(a.maxTurns),
    MISSION_MAX_COST_USD: a.maxCostUsd !== undefined ? String(a.maxCostUsd) : "",
    MISSION_PROMPT_FILE: PROMPT_PATH,
  };
}

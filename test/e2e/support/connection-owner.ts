/**
 * Which process holds the other end of a TCP connection on this machine
 * (Linux): the twin's server knows a request's client port; the kernel's
 * socket table (/proc/net/tcp, tcp6) gives that socket's inode, and the
 * process whose file descriptors include `socket:[inode]` sent it. Used to
 * tell which replica made a request, with every replica talking to the twin
 * at the same address (as replicas of one deployment do: same GHE_HOST).
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** The inode of the socket whose local port is `localPort` and whose peer port is `peerPort`. */
function socketInode(localPort: number, peerPort: number): string | undefined {
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const port = (hex: string) => parseInt(hex.slice(hex.lastIndexOf(":") + 1), 16);
      if (port(cols[1]!) === localPort && port(cols[2]!) === peerPort) return cols[9];
    }
  }
  return undefined;
}

/** Of `pids`, the one holding the client end (port `clientPort`) of a connection to `serverPort`; undefined if none does. */
export function connectionOwner(clientPort: number, serverPort: number, pids: readonly number[]): number | undefined {
  const inode = socketInode(clientPort, serverPort);
  if (!inode || inode === "0") return undefined;
  const target = `socket:[${inode}]`;
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

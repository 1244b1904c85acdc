#!/usr/bin/env node
/**
 * Real mail servers on loopback for the email tests (test/integration/email-*.test.ts):
 *
 * - IMAP: Debian's Dovecot (`apt-get install dovecot-imapd dovecot-lmtpd`),
 *   run in the foreground from a configuration written to a temporary
 *   directory: every address is a mailbox (maildir under that directory),
 *   each with the same generated password; no TLS (loopback only).
 * - SMTP: the `smtp-server` library, in this process: it takes mail with
 *   that password (AUTH PLAIN/LOGIN) and hands each message, unchanged, to
 *   Dovecot over LMTP, so a mail sent to any address lands in that
 *   address's IMAP mailbox.
 *
 * Prints, once both answer, the lines to `source`:
 *   export MISSION_BOT_TEST_SMTP_URL=smtp://:<password>@127.0.0.1:<port>
 *   export MISSION_BOT_TEST_IMAP_URL=imap://:<password>@127.0.0.1:<port>
 * and runs until SIGTERM or SIGINT, when it stops Dovecot by its pid and
 * removes the directory. `.ci/run` starts it; locally:
 *   node scripts/mail-servers.mjs > /tmp/mail.env & . /tmp/mail.env
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";

const HOST = "127.0.0.1";
const DOVECOT = process.env.DOVECOT_BIN || "/usr/sbin/dovecot";

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function answers(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, HOST);
    socket.once("data", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const password = randomBytes(12).toString("hex");
const dir = mkdtempSync(join(tmpdir(), "mission-bot-mail-"));
chmodSync(dir, 0o755); // the mail processes run as another user and must reach mail/
const mail = join(dir, "mail");
mkdirSync(mail);
mkdirSync(join(dir, "state"));

const root = process.getuid?.() === 0;
// as root, mail is kept as nobody (Dovecot refuses uid 0 for mail); otherwise as ourselves, with Dovecot's internal users ourselves too
const [uid, gid] = root ? [65534, 65534] : [process.getuid(), process.getgid()];
if (root) chownSync(mail, uid, gid);
const self = userInfo().username;
const group = root ? "" : spawnSync("id", ["-gn"], { encoding: "utf8" }).stdout.trim();

const [imapPort, lmtpPort] = [await freePort(), await freePort()];
const log = join(dir, "dovecot.log");
const conf = join(dir, "dovecot.conf");
writeFileSync(
  conf,
  `# written by scripts/mail-servers.mjs for the tests: loopback only, no TLS
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${log}
protocols = imap lmtp
listen = ${HOST}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:${mail}/%Lu
first_valid_uid = 1
${root ? "" : `default_internal_user = ${self}\ndefault_internal_group = ${group}\ndefault_login_user = ${self}\n`}
passdb {
  driver = static
  args = password=${password}
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${mail}/%Lu allow_all_users=yes
}
service imap-login {${root ? "" : "\n  chroot =" /* only root may chroot */}
  inet_listener imap {
    address = ${HOST}
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
${root ? "" : "service anvil {\n  chroot =\n}\n"}service lmtp {
  inet_listener lmtp {
    address = ${HOST}
    port = ${lmtpPort}
  }
}
`,
);

const dovecot = spawn(DOVECOT, ["-F", "-c", conf], { stdio: ["ignore", "ignore", "inherit"] });
let stopping = false;
function dovecotLog() {
  try {
    return readFileSync(log, "utf8");
  } catch {
    return "";
  }
}
dovecot.once("exit", (code, signal) => {
  if (stopping) return;
  process.stderr.write(dovecotLog());
  process.stderr.write(`dovecot stopped (${signal ?? `exit ${code}`})\n`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
dovecot.once("error", (error) => {
  process.stderr.write(`cannot start ${DOVECOT}: ${error.message} (apt-get install dovecot-imapd dovecot-lmtpd)\n`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});

const lmtp = nodemailer.createTransport({ lmtp: true, host: HOST, port: lmtpPort });
const smtp = new SMTPServer({
  name: "mission-bot-test-smtp",
  authOptional: false,
  allowInsecureAuth: true,
  disabledCommands: ["STARTTLS"],
  authMethods: ["PLAIN", "LOGIN"],
  size: 10 * 1024 * 1024,
  logger: false,
  onAuth(auth, _session, callback) {
    if (auth.password === password) callback(null, { user: auth.username });
    else callback(new Error("Invalid username or password"));
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on("data", (chunk) => chunks.push(chunk));
    stream.on("end", () => {
      const envelope = {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
        to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
      };
      lmtp.sendMail({ envelope, raw: Buffer.concat(chunks) }).then(
        () => callback(),
        (error) => callback(Object.assign(new Error(`not delivered: ${error.message}`), { responseCode: 451 })),
      );
    });
  },
});
smtp.on("error", (error) => process.stderr.write(`smtp-server: ${error.message}\n`));
await new Promise((resolve) => smtp.listen(0, HOST, resolve));
const smtpPort = smtp.server.address().port;

function stop() {
  if (stopping) return;
  stopping = true;
  smtp.close(() => undefined);
  const done = () => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  if (dovecot.exitCode !== null || dovecot.signalCode !== null) return done();
  dovecot.once("exit", done);
  dovecot.kill("SIGTERM");
  setTimeout(() => {
    dovecot.kill("SIGKILL");
  }, 3000).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

for (let i = 0; i < 100 && !(await answers(imapPort) && await answers(lmtpPort)); i++) await new Promise((resolve) => setTimeout(resolve, 50));
if (!(await answers(imapPort))) {
  process.stderr.write(dovecotLog());
  process.stderr.write(`dovecot is not answering on ${HOST}:${imapPort}\n`);
  stop();
} else {
  process.stdout.write(`export MISSION_BOT_TEST_SMTP_URL=smtp://:${password}@${HOST}:${smtpPort}\nexport MISSION_BOT_TEST_IMAP_URL=imap://:${password}@${HOST}:${imapPort}\n`);
}

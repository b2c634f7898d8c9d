// Starts the real "podc serve" for the tests: PODC_ADDR if set (a server
// already running, plaintext), otherwise the binary at PODC_BIN or one
// built from this repository, on a free loopback port.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** The repository root: this file runs from clients/typescript/dist/test. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** Reads examples/NAME.json. */
export function example(name: string): unknown {
  return JSON.parse(readFileSync(join(repoRoot, "examples", `${name}.json`), "utf8"));
}

/** A running server: its host:port, and how to stop it. */
export interface Server {
  addr: string;
  stop(): Promise<void>;
}

let built: string | undefined;

/** PODC_BIN, or a podc built from this repository once per run. */
function podcBinary(): string {
  const given = process.env.PODC_BIN;
  if (given) {
    return given;
  }
  if (!built) {
    const dir = mkdtempSync(join(tmpdir(), "podc-ts-test-"));
    built = join(dir, "podc");
    execFileSync("go", ["build", "-o", built, "./cmd/podc"], { cwd: repoRoot, stdio: "inherit" });
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return built;
}

/**
 * Starts podc serve with flags on a free loopback port, in cwd. Without
 * flags, PODC_ADDR names a server already running instead.
 */
export async function startServer(flags: string[] = [], cwd?: string): Promise<Server> {
  const given = process.env.PODC_ADDR;
  if (given && flags.length === 0) {
    return { addr: given, stop: async () => {} };
  }
  const args = ["serve", ...flags, "--addr", "127.0.0.1:0", "--log-format", "json", "--drain-delay", "0"];
  const child = spawn(podcBinary(), args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  const addr = await serving(child);
  return {
    addr,
    stop: () =>
      new Promise((ok, fail) => {
        child.once("exit", (code, signal) =>
          code === 0 ? ok() : fail(new Error(`podc serve exited ${code ?? signal} after SIGTERM`)),
        );
        child.kill("SIGTERM");
      }),
  };
}

/**
 * Writes a throwaway PKI into a new folder (internal/testpki/gencerts:
 * ca.pem, server.pem, server-key.pem for localhost and 127.0.0.1,
 * client.pem, client-key.pem, other-client.pem from an untrusted CA) and
 * returns the folder.
 */
export function makeCerts(): string {
  const dir = mkdtempSync(join(tmpdir(), "podc-ts-pki-"));
  execFileSync("go", ["run", "./internal/testpki/gencerts", dir], { cwd: repoRoot, stdio: "inherit" });
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Resolves to the address podc serve logs once it is serving. */
function serving(child: ChildProcess): Promise<string> {
  return new Promise((ok, fail) => {
    const lines = createInterface({ input: child.stderr! });
    lines.on("line", (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; addr?: string };
        if (entry.msg === "podc serving" && entry.addr) {
          ok(entry.addr);
        }
      } catch {
        // not a log entry
      }
    });
    child.once("exit", (code) => fail(new Error(`podc serve exited ${code} before serving`)));
    child.once("error", fail);
  });
}

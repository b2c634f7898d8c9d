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

export async function startServer(): Promise<Server> {
  const given = process.env.PODC_ADDR;
  if (given) {
    return { addr: given, stop: async () => {} };
  }
  let bin = process.env.PODC_BIN;
  let dir: string | undefined;
  if (!bin) {
    dir = mkdtempSync(join(tmpdir(), "podc-ts-test-"));
    bin = join(dir, "podc");
    execFileSync("go", ["build", "-o", bin, "./cmd/podc"], { cwd: repoRoot, stdio: "inherit" });
  }
  const child = spawn(bin, ["serve", "--addr", "127.0.0.1:0", "--log-format", "json", "--drain-delay", "0"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const addr = await serving(child);
  if (dir) {
    rmSync(dir, { recursive: true, force: true });
  }
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

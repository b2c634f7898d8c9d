import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { Code, ConnectError } from "@connectrpc/connect";

import { createPodcClient, type PodcClient, Reason, refusalOf } from "../index.js";
import { makeCerts, type Server, startServer } from "./server.js";

async function code(p: Promise<unknown>): Promise<Code> {
  try {
    await p;
  } catch (err) {
    return ConnectError.from(err).code;
  }
  assert.fail("the call succeeded");
}

describe("podc client against podc serve with TLS, client certificates and tokens", () => {
  let server: Server;
  let dir: string;
  let pem: (name: string) => Buffer;
  const clients: PodcClient[] = [];

  function client(opts: { cert?: boolean; token?: string | (() => string) }): PodcClient {
    const c = createPodcClient({
      baseUrl: `https://${server.addr}`,
      ca: pem("ca.pem"),
      ...(opts.cert === false ? {} : { cert: pem("client.pem"), key: pem("client-key.pem") }),
      token: opts.token,
    });
    clients.push(c);
    return c;
  }

  before(async () => {
    dir = makeCerts();
    pem = (name) => readFileSync(join(dir, name));
    writeFileSync(join(dir, "tokens"), "first-token\nsecond-token\n");
    server = await startServer(
      ["--tls-cert", "server.pem", "--tls-key", "server-key.pem", "--client-ca", "ca.pem", "--auth-token-file", "tokens"],
      dir,
    );
  });
  after(async () => {
    clients.forEach((c) => c.close());
    await server?.stop();
  });

  it("compiles and reads refusals over mutual TLS with a token", async () => {
    const c = client({ token: "second-token" });
    const resp = await c.compile({ intent: { name: "hello", containers: [{ name: "web", image: "nginx:1.27.3" }] } });
    assert.deepEqual(
      resp.manifests.map((m) => m.kind),
      ["Pod"],
    );
    try {
      await c.compile({ intent: { name: "Hello_World", containers: [{ name: "web", image: "nginx:1.27.3" }] } });
      assert.fail("a malformed intent compiled");
    } catch (err) {
      assert.equal(refusalOf(err)?.reason, Reason.InvalidIntent);
    }
  });

  it("is refused without a valid token", async () => {
    assert.equal(await code(client({}).listPolicies()), Code.Unauthenticated);
    assert.equal(await code(client({ token: "nope" }).listPolicies()), Code.Unauthenticated);
  });

  it("asks the token function on every call", async () => {
    let token = "revoked";
    const c = client({ token: () => token });
    assert.equal(await code(c.listPolicies()), Code.Unauthenticated);
    token = "first-token";
    const resp = await c.listPolicies();
    assert.match(resp.digest, /^sha256:/);
  });

  it("fails without a client certificate", async () => {
    // TLS 1.3 reports the server's refusal after the handshake, so the code
    // depends on when the connection breaks; the call must fail either way.
    const got = await code(client({ cert: false, token: "first-token" }).listPolicies());
    assert.ok([Code.Unavailable, Code.Internal].includes(got), `code ${Code[got]}`);
  });
});

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { fromJson } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";

import {
  apiVersion,
  createPodcClient,
  denialsOf,
  findingsOf,
  type PodcClient,
  OutputFormat,
  Outcome,
  Reason,
  refusalOf,
  reportOf,
  Severity,
  Stage,
  WorkloadIntentSchema,
} from "../index.js";
import { example, type Server, startServer } from "./server.js";

// The README's refused intent: a bad name and a port out of range.
const malformed = {
  name: "Hello_World",
  containers: [{ name: "web", image: "nginx:1.27.3", ports: [{ name: "http", containerPort: 70000 }] }],
};
// Denied by the baseline policies: the node's network namespace.
const denied = {
  name: "agent",
  hostNetwork: true,
  containers: [{ name: "agent", image: "registry.example.com/agent:2.0.1" }],
};

function intent(json: unknown) {
  return fromJson(WorkloadIntentSchema, json as never);
}

async function refused(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ConnectError, `not a ConnectError: ${err}`);
    return err;
  }
  assert.fail("the call succeeded");
}

describe("podc client against podc serve", () => {
  let server: Server;
  let client: PodcClient;

  before(async () => {
    server = await startServer();
    client = createPodcClient({ baseUrl: `http://${server.addr}` });
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  it("speaks the API of the generated code", () => {
    assert.equal(apiVersion, "podc.v1");
  });

  it("compiles an example intent", async () => {
    const resp = await client.compile({ intent: intent(example("hello")) });
    assert.deepEqual(
      resp.manifests.map((m) => `${m.kind}/${m.name}`),
      ["Pod/hello", "Service/hello"],
    );
    assert.match(resp.policyDigest, /^sha256:/);
    assert.ok(resp.report?.allowed);
    assert.match(resp.manifests[0].content, /image: nginx:1\.27\.3/);
  });

  it("reads a malformed intent's findings and report", async () => {
    const err = await refused(client.compile({ intent: intent(malformed) }));
    assert.equal(err.code, Code.InvalidArgument);
    const r = refusalOf(err);
    assert.ok(r);
    assert.equal(r.reason, Reason.InvalidIntent);
    assert.equal(r.report?.allowed, false);
    const fields = denialsOf(err).map((f) => f.field);
    assert.ok(fields.includes("name"), `${fields}`);
    assert.ok(fields.includes("containers[0].ports[0].containerPort"), `${fields}`);
    for (const f of denialsOf(err)) {
      assert.equal(f.stage, Stage.INTENT);
      assert.notEqual(f.message, "");
    }
    assert.equal(findingsOf(err).length, r.findings.length);
    assert.deepEqual(reportOf(err), r.report);
  });

  it("reads a policy denial's rule", async () => {
    const err = await refused(client.compile({ intent: intent(denied) }));
    const r = refusalOf(err);
    assert.ok(r);
    assert.equal(r.code, Code.FailedPrecondition);
    assert.equal(r.reason, Reason.PolicyDenied);
    const hit = r.findings.find((f) => f.field === "hostNetwork");
    assert.ok(hit, JSON.stringify(r.findings));
    assert.equal(hit.ruleId, "baseline.host-namespaces");
    assert.equal(hit.severity, Severity.DENY);
    assert.equal(hit.stage, Stage.INTENT_POLICY);
    assert.ok(
      r.report?.decisions.some((d) => d.ruleId === "baseline.host-namespaces" && d.outcome === Outcome.DENY),
    );
  });

  it("validates without throwing", async () => {
    const no = await client.validate({ intent: intent(denied) });
    assert.equal(no.allowed, false);
    assert.ok((no.report?.findings.length ?? 0) > 0);
    const yes = await client.validate({ intent: intent(example("hello")) });
    assert.equal(yes.allowed, true);
  });

  it("lists the policies", async () => {
    const all = await client.listPolicies();
    const names = all.profiles.map((p) => p.name);
    assert.ok(names.includes("baseline") && names.includes("restricted"), `${names}`);
    const compiled = await client.compile({ intent: intent(example("hello")) });
    assert.equal(all.digest, compiled.policyDigest);
    const restricted = await client.listPolicies({ profile: "restricted" });
    assert.ok(restricted.rules.length > 0 && restricted.rules.length < all.rules.length);
    for (const rule of restricted.rules) {
      assert.ok(rule.profiles.includes("restricted"), rule.id);
    }
  });

  it("answers a batch in order, each with its own outcome", async () => {
    const answers = await client.compileBatch([
      { intent: intent(example("hello")) },
      { intent: intent(malformed) },
      { intent: intent(example("checkout")) },
      { intent: intent(denied) },
      { intent: intent(example("resolver")), format: OutputFormat.JSON },
      {},
    ]);
    assert.equal(answers.length, 6);
    for (const [i, name] of [[0, "hello"], [2, "checkout"], [4, "resolver"]] as const) {
      const resp = answers[i].response;
      assert.ok(resp, `answer ${i}: ${answers[i].error}`);
      assert.ok(resp.manifests.some((m) => m.name === name), `answer ${i} is not ${name}'s`);
    }
    assert.match(answers[4].response?.manifests[0].content ?? "", /^\{/);

    const bad = refusalOf(answers[1].error);
    assert.ok(bad);
    assert.equal(bad.code, Code.InvalidArgument);
    assert.equal(bad.reason, "");
    assert.ok(bad.report);
    assert.ok(denialsOf(answers[1].error).some((f) => f.field === "containers[0].ports[0].containerPort"));

    const deny = refusalOf(answers[3].error);
    assert.equal(deny?.code, Code.FailedPrecondition);
    assert.ok(deny?.findings.some((f) => f.field === "hostNetwork" && f.ruleId === "baseline.host-namespaces"));

    // No intent at all: no report, so the findings come from the field violations.
    const none = refusalOf(answers[5].error);
    assert.equal(none?.report, undefined);
    assert.deepEqual(
      none?.findings.map((f) => [f.field, f.severity]),
      [["intent", Severity.DENY]],
    );
  });

  it("answers an empty batch", async () => {
    assert.deepEqual(await client.compileBatch([]), []);
  });

  it("finds no refusal in other errors", () => {
    for (const err of [
      undefined,
      new Error("boom"),
      new ConnectError("unreachable", Code.Unavailable),
      new ConnectError("no details", Code.InvalidArgument),
    ]) {
      assert.equal(refusalOf(err), undefined);
      assert.deepEqual(findingsOf(err), []);
    }
  });

  it("refuses unsafe or contradictory options", () => {
    assert.throws(() => createPodcClient({ baseUrl: `http://${server.addr}`, token: "t" }), /needs TLS/);
    assert.throws(() => createPodcClient({ baseUrl: `http://${server.addr}`, ca: "x" }), /https/);
    assert.throws(() => createPodcClient({ baseUrl: `https://${server.addr}`, cert: "x" }), /both/);
    assert.throws(() => createPodcClient({ baseUrl: `ftp://${server.addr}` }), /http/);
  });
});

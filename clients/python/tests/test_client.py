"""The Python client against the real podc serve."""

import unittest

import grpc
from google.protobuf import json_format
from google.rpc import status_pb2

import podc
from podc.v1 import compiler_pb2, intent_pb2, policy_pb2, report_pb2
from tests.server import Server, example

# The README's refused intent: a bad name and a port out of range.
MALFORMED = '{"name": "Hello_World", "containers": [{"name": "web", "image": "nginx:1.27.3", "ports": [{"name": "http", "containerPort": 70000}]}]}'
# Denied by the baseline policies: the node's network namespace.
DENIED = '{"name": "agent", "hostNetwork": true, "containers": [{"name": "agent", "image": "registry.example.com/agent:2.0.1"}]}'

server = None


def setUpModule():
    global server
    server = Server()


def tearDownModule():
    server.stop()


def intent(js):
    return json_format.Parse(js, intent_pb2.WorkloadIntent())


class ClientTest(unittest.TestCase):
    def setUp(self):
        self.client = podc.Client(server.addr, plaintext=True)
        self.addCleanup(self.client.close)

    def test_api_version(self):
        self.assertEqual(podc.API_VERSION, "podc.v1")

    def test_compile(self):
        resp = self.client.compile(compiler_pb2.CompileRequest(intent=intent(example("hello"))), timeout=60)
        self.assertEqual([f"{m.kind}/{m.name}" for m in resp.manifests], ["Pod/hello", "Service/hello"])
        self.assertTrue(resp.policy_digest.startswith("sha256:"))
        self.assertTrue(resp.report.allowed)
        self.assertIn("image: nginx:1.27.3", resp.manifests[0].content)

    def test_malformed_intent(self):
        with self.assertRaises(grpc.RpcError) as cm:
            self.client.compile(compiler_pb2.CompileRequest(intent=intent(MALFORMED)), timeout=60)
        err = cm.exception
        self.assertEqual(err.code(), grpc.StatusCode.INVALID_ARGUMENT)
        r = podc.refusal_of(err)
        self.assertIsNotNone(r)
        self.assertEqual(r.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(r.reason, podc.REASON_INVALID_INTENT)
        self.assertFalse(r.report.allowed)
        fields = [f.field for f in r.denials()]
        self.assertIn("name", fields)
        self.assertIn("containers[0].ports[0].containerPort", fields)
        for f in r.denials():
            self.assertEqual(f.stage, report_pb2.STAGE_INTENT)
            self.assertTrue(f.message)
        self.assertEqual(podc.findings(err), r.findings)
        self.assertEqual(podc.report_of(err), r.report)

    def test_policy_denial(self):
        with self.assertRaises(grpc.RpcError) as cm:
            self.client.compile(compiler_pb2.CompileRequest(intent=intent(DENIED)), timeout=60)
        r = podc.refusal_of(cm.exception)
        self.assertIsNotNone(r)
        self.assertEqual(r.code, grpc.StatusCode.FAILED_PRECONDITION)
        self.assertEqual(r.reason, podc.REASON_POLICY_DENIED)
        hits = [f for f in r.denials() if f.field == "hostNetwork"]
        self.assertEqual(len(hits), 1, r.findings)
        self.assertEqual(hits[0].rule_id, "baseline.host-namespaces")
        self.assertEqual(hits[0].severity, report_pb2.SEVERITY_DENY)
        self.assertEqual(hits[0].stage, report_pb2.STAGE_INTENT_POLICY)
        self.assertTrue(
            any(d.rule_id == "baseline.host-namespaces" and d.outcome == report_pb2.OUTCOME_DENY for d in r.report.decisions)
        )

    def test_validate(self):
        no = self.client.validate(compiler_pb2.ValidateRequest(intent=intent(DENIED)), timeout=60)
        self.assertFalse(no.allowed)
        self.assertTrue(no.report.findings)
        yes = self.client.validate(compiler_pb2.ValidateRequest(intent=intent(example("hello"))), timeout=60)
        self.assertTrue(yes.allowed)

    def test_list_policies(self):
        everything = self.client.list_policies(timeout=60)
        names = [p.name for p in everything.profiles]
        self.assertIn("baseline", names)
        self.assertIn("restricted", names)
        compiled = self.client.compile(compiler_pb2.CompileRequest(intent=intent(example("hello"))), timeout=60)
        self.assertEqual(everything.digest, compiled.policy_digest)
        restricted = self.client.list_policies(policy_pb2.ListPoliciesRequest(profile="restricted"), timeout=60)
        self.assertTrue(0 < len(restricted.rules) < len(everything.rules))
        for rule in restricted.rules:
            self.assertIn("restricted", rule.profiles, rule.id)

    def test_compile_batch(self):
        answers = self.client.compile_batch(
            [
                compiler_pb2.CompileRequest(intent=intent(example("hello"))),
                compiler_pb2.CompileRequest(intent=intent(MALFORMED)),
                compiler_pb2.CompileRequest(intent=intent(example("checkout"))),
                compiler_pb2.CompileRequest(intent=intent(DENIED)),
                compiler_pb2.CompileRequest(intent=intent(example("resolver")), format=compiler_pb2.OUTPUT_FORMAT_JSON),
                compiler_pb2.CompileRequest(),
            ],
            timeout=60,
        )
        self.assertEqual(len(answers), 6)
        for i, name in ((0, "hello"), (2, "checkout"), (4, "resolver")):
            self.assertIsNone(answers[i].error, i)
            self.assertIn(name, [m.name for m in answers[i].response.manifests])
        self.assertTrue(answers[4].response.manifests[0].content.startswith("{"))

        bad = podc.refusal_of(answers[1].error)
        self.assertIsNotNone(bad)
        self.assertEqual(bad.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(answers[1].error.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(bad.reason, "")
        self.assertIsNotNone(bad.report)
        self.assertIn("containers[0].ports[0].containerPort", [f.field for f in bad.denials()])

        deny = podc.refusal_of(answers[3].error)
        self.assertEqual(deny.code, grpc.StatusCode.FAILED_PRECONDITION)
        self.assertIn(("hostNetwork", "baseline.host-namespaces"), [(f.field, f.rule_id) for f in deny.findings])

        # No intent: no report, so the findings come from the field violations.
        none = podc.refusal_of(answers[5].error)
        self.assertIsNone(none.report)
        self.assertEqual([(f.field, f.severity) for f in none.findings], [("intent", report_pb2.SEVERITY_DENY)])

    def test_empty_batch(self):
        self.assertEqual(self.client.compile_batch([], timeout=60), [])

    def test_no_refusal_in_other_errors(self):
        for err in (None, ValueError("boom"), podc.CompileError(status_pb2.Status(code=14, message="unavailable"))):
            self.assertIsNone(podc.refusal_of(err))
            self.assertEqual(podc.findings(err), [])
            self.assertIsNone(podc.report_of(err))

    def test_unreachable_server_is_no_refusal(self):
        with podc.Client("127.0.0.1:1", plaintext=True) as c:
            with self.assertRaises(grpc.RpcError) as cm:
                c.list_policies(timeout=5)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAVAILABLE)
        self.assertIsNone(podc.refusal_of(cm.exception))

    def test_refuses_unsafe_or_contradictory_options(self):
        with self.assertRaisesRegex(ValueError, "needs TLS"):
            podc.Client(server.addr, plaintext=True, token="t")
        with self.assertRaisesRegex(ValueError, "plaintext"):
            podc.Client(server.addr, plaintext=True, root_certificates=b"x")
        with self.assertRaisesRegex(ValueError, "both"):
            podc.Client(server.addr, certificate_chain=b"x")


if __name__ == "__main__":
    unittest.main()

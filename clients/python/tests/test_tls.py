"""The Python client's TLS, client certificate and token options against
podc serve with --tls-cert, --tls-key, --client-ca and --auth-token-file."""

import unittest

import grpc

import podc
from podc.v1 import compiler_pb2, intent_pb2
from tests.server import Server, make_certs

server = None
pki = None


def setUpModule():
    global server, pki
    pki = make_certs()
    (pki / "tokens").write_text("first-token\nsecond-token\n")
    server = Server(
        ["--tls-cert", "server.pem", "--tls-key", "server-key.pem", "--client-ca", "ca.pem", "--auth-token-file", "tokens"],
        cwd=pki,
    )


def tearDownModule():
    server.stop()


WEB = intent_pb2.Container(name="web", image="nginx:1.27.3")


class TLSTest(unittest.TestCase):
    def client(self, cert=True, **kw):
        if cert:
            kw.update(certificate_chain=(pki / "client.pem").read_bytes(), private_key=(pki / "client-key.pem").read_bytes())
        c = podc.Client(server.addr, root_certificates=(pki / "ca.pem").read_bytes(), **kw)
        self.addCleanup(c.close)
        return c

    def test_compile_over_mutual_tls_with_a_token(self):
        c = self.client(token="second-token")
        resp = c.compile(compiler_pb2.CompileRequest(intent=intent_pb2.WorkloadIntent(name="hello", containers=[WEB])), timeout=60)
        self.assertEqual([m.kind for m in resp.manifests], ["Pod"])
        with self.assertRaises(grpc.RpcError) as cm:
            c.compile(compiler_pb2.CompileRequest(intent=intent_pb2.WorkloadIntent(name="Hello_World", containers=[WEB])), timeout=60)
        self.assertEqual(podc.refusal_of(cm.exception).reason, podc.REASON_INVALID_INTENT)

    def test_refused_without_a_valid_token(self):
        for c in (self.client(), self.client(token="nope")):
            with self.assertRaises(grpc.RpcError) as cm:
                c.list_policies(timeout=60)
            self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
            self.assertIsNone(podc.refusal_of(cm.exception))

    def test_token_function_is_asked_on_every_call(self):
        tokens = ["revoked"]
        c = self.client(token=lambda: tokens[0])
        with self.assertRaises(grpc.RpcError) as cm:
            c.list_policies(timeout=60)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        tokens[0] = "first-token"
        self.assertTrue(c.list_policies(timeout=60).digest.startswith("sha256:"))

    def test_fails_without_a_client_certificate(self):
        with self.assertRaises(grpc.RpcError) as cm:
            self.client(cert=False, token="first-token").list_policies(timeout=60)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAVAILABLE)


if __name__ == "__main__":
    unittest.main()

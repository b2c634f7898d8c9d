"""A client of a podc server."""

from __future__ import annotations

import dataclasses
from typing import Callable, Iterable, List, Optional, Sequence, Tuple, Union

import grpc

from podc.refusal import CompileError, batch_error
from podc.v1 import compiler_pb2, compiler_pb2_grpc, policy_pb2, policy_pb2_grpc

# Every address a target resolves to (each replica behind a dns:/// name)
# gets a connection, and calls take turns over them.
_ROUND_ROBIN = ("grpc.lb_policy_name", "round_robin")

Token = Union[str, Callable[[], str]]


@dataclasses.dataclass
class BatchResult:
    """The answer to one request of a batch: a response, or the error."""

    response: Optional[compiler_pb2.CompileResponse] = None
    error: Optional[CompileError] = None


class Client:
    """Calls a podc server. Safe to share between threads; close it when done.

    target is "host:port", "dns:///name:port" or any gRPC target.
    plaintext=True is for a server on the same machine or in a test;
    otherwise the channel uses TLS, verified against root_certificates
    (PEM bytes) or the system's roots, with certificate_chain and
    private_key (PEM bytes) for mutual TLS. token is a bearer token sent
    as "authorization: Bearer <token>", or a function called for every
    call so a rotated token is picked up; it is never sent in plaintext.
    """

    def __init__(
        self,
        target: str,
        *,
        plaintext: bool = False,
        root_certificates: Optional[bytes] = None,
        certificate_chain: Optional[bytes] = None,
        private_key: Optional[bytes] = None,
        token: Optional[Token] = None,
        options: Sequence[Tuple[str, object]] = (),
    ):
        tls = root_certificates is not None or certificate_chain is not None or private_key is not None
        if plaintext and tls:
            raise ValueError("podc: plaintext cannot be combined with TLS options")
        if plaintext and token is not None:
            raise ValueError("podc: a bearer token needs TLS; it is never sent in plaintext")
        if (certificate_chain is None) != (private_key is None):
            raise ValueError("podc: a client certificate needs both certificate_chain and private_key")
        opts = [_ROUND_ROBIN, *options]
        if plaintext:
            self._channel = grpc.insecure_channel(target, options=opts)
        else:
            creds = grpc.ssl_channel_credentials(root_certificates, private_key, certificate_chain)
            if token is not None:
                creds = grpc.composite_channel_credentials(creds, grpc.metadata_call_credentials(_Bearer(token)))
            self._channel = grpc.secure_channel(target, creds, options=opts)
        #: The generated stub of podc.v1.CompilerService.
        self.compiler = compiler_pb2_grpc.CompilerServiceStub(self._channel)
        #: The generated stub of podc.v1.PolicyService.
        self.policies = policy_pb2_grpc.PolicyServiceStub(self._channel)

    def compile(self, request: compiler_pb2.CompileRequest, timeout: Optional[float] = None) -> compiler_pb2.CompileResponse:
        """Compiles one intent.

        A refused intent raises grpc.RpcError with INVALID_ARGUMENT
        (malformed) or FAILED_PRECONDITION (denied by policy); refusal_of
        reads its findings and report.
        """
        return self.compiler.Compile(request, timeout=timeout)

    def validate(self, request: compiler_pb2.ValidateRequest, timeout: Optional[float] = None) -> compiler_pb2.ValidateResponse:
        """Runs the pipeline as a dry run; never raises for a malformed or denied intent."""
        return self.compiler.Validate(request, timeout=timeout)

    def list_policies(
        self, request: Optional[policy_pb2.ListPoliciesRequest] = None, timeout: Optional[float] = None
    ) -> policy_pb2.ListPoliciesResponse:
        """Describes the active policy bundle."""
        return self.policies.ListPolicies(request or policy_pb2.ListPoliciesRequest(), timeout=timeout)

    def compile_batch(
        self, requests: Iterable[compiler_pb2.CompileRequest], timeout: Optional[float] = None
    ) -> List[BatchResult]:
        """Sends every request on one CompileBatch stream; the answers come back in order.

        A refused intent's answer carries a CompileError, which refusal_of
        reads like a refused compile. Raises grpc.RpcError only when the
        stream itself fails.
        """
        reqs = list(requests)
        stream = self.compiler.CompileBatch(
            (compiler_pb2.CompileBatchRequest(request=r) for r in reqs), timeout=timeout
        )
        out: List[Optional[BatchResult]] = [None] * len(reqs)
        answered = 0
        for ans in stream:
            i = ans.index
            if not 0 <= i < len(reqs) or out[i] is not None:
                raise RuntimeError(f"podc: CompileBatch: unexpected answer index {i}")
            answered += 1
            if ans.WhichOneof("result") == "error":
                out[i] = BatchResult(error=batch_error(ans.error))
            else:
                out[i] = BatchResult(response=ans.response)
        if answered != len(reqs):
            raise RuntimeError(f"podc: CompileBatch: {answered} answers to {len(reqs)} requests")
        return [r for r in out if r is not None]

    def close(self) -> None:
        """Closes the channel."""
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Bearer(grpc.AuthMetadataPlugin):
    """Sends "authorization: Bearer <token>" with every call."""

    def __init__(self, token: Token):
        self._token = token

    def __call__(self, context: grpc.AuthMetadataContext, callback: grpc.AuthMetadataPluginCallback) -> None:
        try:
            tok = self._token() if callable(self._token) else self._token
        except Exception as err:  # the call fails with the reason
            callback((), err)
            return
        callback((("authorization", "Bearer " + tok.strip()),), None)

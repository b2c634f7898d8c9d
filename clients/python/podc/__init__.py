"""The Python client of podc, the pod spec compiler.

    from podc import Client, refusal_of
    from podc.v1 import compiler_pb2, intent_pb2

The generated podc.v1 modules are in podc.v1 and the google.rpc error
details in google.rpc. API_VERSION names the API this client speaks.
"""

from podc.client import BatchResult, Client
from podc.refusal import (
    ERROR_DOMAIN,
    REASON_INVALID_INTENT,
    REASON_POLICY_DENIED,
    REASON_POLICY_FAULT,
    CompileError,
    Refusal,
    findings,
    refusal_of,
    report_of,
)
from podc.v1 import compiler_pb2 as _compiler_pb2

#: The protobuf package of the podc API this client speaks.
API_VERSION: str = _compiler_pb2.DESCRIPTOR.package

__all__ = [
    "API_VERSION",
    "BatchResult",
    "Client",
    "CompileError",
    "ERROR_DOMAIN",
    "REASON_INVALID_INTENT",
    "REASON_POLICY_DENIED",
    "REASON_POLICY_FAULT",
    "Refusal",
    "findings",
    "refusal_of",
    "report_of",
]

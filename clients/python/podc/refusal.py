"""Typed access to a refused compile: its findings and its report."""

from __future__ import annotations

import dataclasses
from typing import List, Optional, Sequence, Tuple

import grpc

from google.rpc import error_details_pb2, status_pb2
from podc.v1 import compiler_pb2, report_pb2

#: The domain of the google.rpc.ErrorInfo podc sends.
ERROR_DOMAIN = "podc.dev"

#: The intent is malformed (INVALID_ARGUMENT).
REASON_INVALID_INTENT = "INVALID_INTENT"
#: A policy rule denied the intent (FAILED_PRECONDITION).
REASON_POLICY_DENIED = "POLICY_DENIED"
#: A deny rule of the policy bundle failed to evaluate, so the intent is
#: refused (FAILED_PRECONDITION): the bundle's fault.
REASON_POLICY_FAULT = "POLICY_FAULT"

_DETAILS_KEY = "grpc-status-details-bin"
_REFUSED = (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION)
_CODES = {c.value[0]: c for c in grpc.StatusCode}


class CompileError(Exception):
    """A failed answer inside a batch: what compile would have raised.

    ``status`` is the google.rpc.Status with the field violations as a
    google.rpc.BadRequest and the report as details.
    """

    def __init__(self, status: status_pb2.Status):
        super().__init__(status.message)
        self.status = status

    def code(self) -> grpc.StatusCode:
        """The status code."""
        return _CODES.get(self.status.code, grpc.StatusCode.UNKNOWN)

    def details(self) -> str:
        """The status message, as grpc.RpcError names it."""
        return self.status.message


@dataclasses.dataclass
class Refusal:
    """A refused compile: the typed form of the error and its details."""

    #: INVALID_ARGUMENT for a malformed intent, FAILED_PRECONDITION for a
    #: policy denial or fault.
    code: grpc.StatusCode
    #: One of the REASON_ constants; empty for an answer inside a batch,
    #: which carries no ErrorInfo.
    reason: str
    #: The status message: the first problems in one line.
    message: str
    #: Every finding of the report, denials and warnings in pipeline
    #: order; without a report, the field violations, each a denial.
    findings: List[report_pb2.Finding]
    #: Everything the pipeline found and decided up to the refusal.
    report: Optional[report_pb2.Report]

    def denials(self) -> List[report_pb2.Finding]:
        """The findings that refused the intent."""
        return [f for f in self.findings if f.severity == report_pb2.SEVERITY_DENY]


def refusal_of(err: object) -> Optional[Refusal]:
    """Reads a refused compile out of err (a grpc.RpcError or a CompileError).

    Returns None for any other error, including a status without podc's
    details (an unreachable server, a deadline, a missing token).
    """
    status = _status_of(err)
    if status is None or _CODES.get(status.code) not in _REFUSED:
        return None
    reason, bad, report, found = "", None, None, False
    for any_ in status.details:
        info = error_details_pb2.ErrorInfo()
        if any_.Is(info.DESCRIPTOR) and any_.Unpack(info) and info.domain == ERROR_DOMAIN:
            reason, found = info.reason, True
            continue
        br = error_details_pb2.BadRequest()
        if any_.Is(br.DESCRIPTOR) and any_.Unpack(br):
            bad, found = br, True
            continue
        rep = report_pb2.Report()
        if any_.Is(rep.DESCRIPTOR) and any_.Unpack(rep):
            report, found = rep, True
    if not found:
        return None
    if report is not None:
        findings = list(report.findings)
    else:
        findings = [
            report_pb2.Finding(severity=report_pb2.SEVERITY_DENY, rule_id=v.reason, field=v.field, message=v.description)
            for v in (bad.field_violations if bad is not None else [])
        ]
    return Refusal(code=_CODES[status.code], reason=reason, message=status.message, findings=findings, report=report)


def findings(err: object) -> List[report_pb2.Finding]:
    """The findings of a refused compile; empty when err is not one."""
    r = refusal_of(err)
    return r.findings if r is not None else []


def report_of(err: object) -> Optional[report_pb2.Report]:
    """The report of a refused compile; None when err is not one or has none."""
    r = refusal_of(err)
    return r.report if r is not None else None


def batch_error(be: compiler_pb2.BatchError) -> CompileError:
    """The error compile would have raised for a failed answer in a batch."""
    status = status_pb2.Status(code=be.code, message=be.message)
    if be.field_violations:
        br = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
                for v in be.field_violations
            ]
        )
        status.details.add().Pack(br)
    if be.HasField("report"):
        status.details.add().Pack(be.report)
    return CompileError(status)


def _status_of(err: object) -> Optional[status_pb2.Status]:
    if isinstance(err, CompileError):
        return err.status
    if not isinstance(err, grpc.RpcError) or not isinstance(err, grpc.Call):
        return None
    status = status_pb2.Status()
    for key, value in _metadata(err.trailing_metadata()):
        if key == _DETAILS_KEY:
            status.ParseFromString(value)
            return status
    return None


def _metadata(md: Optional[Sequence[Tuple[str, object]]]) -> Sequence[Tuple[str, bytes]]:
    return [(k, v) for k, v in (md or ()) if isinstance(v, bytes)]

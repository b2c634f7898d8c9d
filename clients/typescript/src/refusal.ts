import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";

import {
  type BatchError,
  BadRequestSchema,
  ErrorInfoSchema,
  type Finding,
  FindingSchema,
  type Report,
  ReportSchema,
  Severity,
} from "./gen.js";

/** The domain of the google.rpc.ErrorInfo podc sends. */
export const errorDomain = "podc.dev";

/** Reasons in the google.rpc.ErrorInfo of a refused call. */
export const Reason = {
  /** The intent is malformed (InvalidArgument). */
  InvalidIntent: "INVALID_INTENT",
  /** A policy rule denied the intent (FailedPrecondition). */
  PolicyDenied: "POLICY_DENIED",
  /** A deny rule of the policy bundle failed to evaluate, so the intent is refused: the bundle's fault. */
  PolicyFault: "POLICY_FAULT",
} as const;

/** A refused compile: the typed form of the error and its details. */
export interface Refusal {
  /** InvalidArgument for a malformed intent, FailedPrecondition for a policy denial or fault. */
  code: Code;
  /** One of Reason; empty for an answer inside a batch, which carries no ErrorInfo. */
  reason: string;
  /** The status message: the first problems in one line. */
  message: string;
  /**
   * Every finding of the report, denials and warnings in pipeline order;
   * without a report, the google.rpc.BadRequest's field violations, each a denial.
   */
  findings: Finding[];
  /** Everything the pipeline found and decided up to the refusal. */
  report?: Report;
}

/**
 * Reads a refused compile out of err. Returns undefined for any other
 * error, including one without podc's details (an unreachable server, a
 * deadline, a missing token).
 */
export function refusalOf(err: unknown): Refusal | undefined {
  if (!(err instanceof ConnectError) || (err.code !== Code.InvalidArgument && err.code !== Code.FailedPrecondition)) {
    return undefined;
  }
  const info = err.findDetails(ErrorInfoSchema).find((i) => i.domain === errorDomain);
  const bad = err.findDetails(BadRequestSchema)[0];
  const report = err.findDetails(ReportSchema)[0];
  if (info === undefined && bad === undefined && report === undefined) {
    return undefined;
  }
  const findings =
    report !== undefined
      ? report.findings
      : (bad?.fieldViolations ?? []).map((v) =>
          create(FindingSchema, { severity: Severity.DENY, ruleId: v.reason, field: v.field, message: v.description }),
        );
  return { code: err.code, reason: info?.reason ?? "", message: err.rawMessage, findings, report };
}

/** The findings of a refused compile; empty when err is not one. */
export function findingsOf(err: unknown): Finding[] {
  return refusalOf(err)?.findings ?? [];
}

/** The denials of a refused compile: the findings that refused it. */
export function denialsOf(err: unknown): Finding[] {
  return findingsOf(err).filter((f) => f.severity === Severity.DENY);
}

/** The report of a refused compile; undefined when err is not one or the server sent none. */
export function reportOf(err: unknown): Report | undefined {
  return refusalOf(err)?.report;
}

/** The error compile would have thrown for a failed answer in a batch. */
export function batchError(be: BatchError): ConnectError {
  const details = [];
  if (be.fieldViolations.length > 0) {
    details.push({
      desc: BadRequestSchema,
      value: { fieldViolations: be.fieldViolations.map((v) => ({ field: v.field, description: v.description })) },
    });
  }
  if (be.report !== undefined) {
    details.push({ desc: ReportSchema, value: be.report });
  }
  const code = be.code in Code ? (be.code as Code) : Code.Unknown;
  return new ConnectError(be.message, code, undefined, details);
}

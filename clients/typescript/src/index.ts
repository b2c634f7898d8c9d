/**
 * The TypeScript client of podc, the pod spec compiler: calls podc.v1 over
 * gRPC (HTTP/2) with @connectrpc/connect-node, and reads a refused
 * compile's findings and report from its error details.
 */
import { file_podc_v1_compiler } from "./gen.js";

export { createPodcClient } from "./client.js";
export type { BatchResult, ClientOptions, PodcClient } from "./client.js";
export { Reason, denialsOf, errorDomain, findingsOf, refusalOf, reportOf } from "./refusal.js";
export type { Refusal } from "./refusal.js";
export * from "./gen.js";

/** The protobuf package of the podc API this client speaks. */
export const apiVersion: string = file_podc_v1_compiler.proto.package;

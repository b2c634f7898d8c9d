// The generated podc.v1 and google.rpc code, under one module.
export * from "./gen/podc/v1/compiler_pb.js";
export * from "./gen/podc/v1/intent_pb.js";
export * from "./gen/podc/v1/policy_pb.js";
export * from "./gen/podc/v1/report_pb.js";
export { BadRequestSchema, ErrorInfoSchema } from "./gen/google/rpc/error_details_pb.js";
export type { BadRequest, BadRequest_FieldViolation, ErrorInfo } from "./gen/google/rpc/error_details_pb.js";

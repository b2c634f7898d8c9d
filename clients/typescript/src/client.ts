import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { CallOptions, Client, Interceptor } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";

import {
  CompilerService,
  type CompileRequestSchema,
  type CompileResponse,
  type ListPoliciesRequestSchema,
  type ListPoliciesResponse,
  PolicyService,
  type ValidateRequestSchema,
  type ValidateResponse,
} from "./gen.js";
import { batchError } from "./refusal.js";

/** How to reach a podc server. */
export interface ClientOptions {
  /**
   * The server: "http://host:port" for plaintext (a server on the same
   * machine or in a test), "https://host:port" for TLS.
   */
  baseUrl: string;
  /** PEM of the CA that signed the server's certificate; the system's roots when unset. */
  ca?: string | Buffer;
  /** PEM of the client certificate, for mutual TLS (podc serve --client-ca). */
  cert?: string | Buffer;
  /** PEM of the client certificate's key. */
  key?: string | Buffer;
  /**
   * A bearer token sent as "authorization: Bearer <token>" (podc serve
   * --auth-token-file), or a function called for every call, so a rotated
   * token is picked up. Refused with an http:// baseUrl.
   */
  token?: string | (() => string | Promise<string>);
  /** More interceptors, run after the token's. */
  interceptors?: Interceptor[];
}

/** The answer to one request of a batch: a response, or the error compile would have thrown. */
export type BatchResult =
  | { response: CompileResponse; error?: undefined }
  | { response?: undefined; error: ConnectError };

/** A client of a podc server. */
export interface PodcClient {
  /** The generated client of podc.v1.CompilerService. */
  readonly compiler: Client<typeof CompilerService>;
  /** The generated client of podc.v1.PolicyService. */
  readonly policies: Client<typeof PolicyService>;
  /**
   * Compiles one intent. A refused intent throws a ConnectError with code
   * InvalidArgument (malformed) or FailedPrecondition (denied by policy);
   * refusalOf reads its findings and report.
   */
  compile(req: MessageInitShape<typeof CompileRequestSchema>, options?: CallOptions): Promise<CompileResponse>;
  /** Runs the pipeline as a dry run; never throws because the intent is malformed or denied. */
  validate(req: MessageInitShape<typeof ValidateRequestSchema>, options?: CallOptions): Promise<ValidateResponse>;
  /** Describes the active policy bundle. */
  listPolicies(req?: MessageInitShape<typeof ListPoliciesRequestSchema>, options?: CallOptions): Promise<ListPoliciesResponse>;
  /**
   * Sends every request on one CompileBatch stream and resolves to the
   * answers in the order of reqs; a refused intent's answer carries its
   * error. It rejects only when the stream itself fails.
   */
  compileBatch(reqs: MessageInitShape<typeof CompileRequestSchema>[], options?: CallOptions): Promise<BatchResult[]>;
  /** Closes the HTTP/2 connection. */
  close(): void;
}

/** Returns a client of the podc server at options.baseUrl. */
export function createPodcClient(options: ClientOptions): PodcClient {
  const url = new URL(options.baseUrl);
  const secure = url.protocol === "https:";
  if (!secure && url.protocol !== "http:") {
    throw new Error(`podc: baseUrl must start with http:// or https://, not ${url.protocol}`);
  }
  if (!secure && (options.ca !== undefined || options.cert !== undefined || options.key !== undefined)) {
    throw new Error("podc: TLS options need an https:// baseUrl");
  }
  if (!secure && options.token !== undefined) {
    throw new Error("podc: a bearer token needs TLS (https://); it is never sent in plaintext");
  }
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new Error("podc: a client certificate needs both cert and key");
  }
  const interceptors: Interceptor[] = [];
  const token = options.token;
  if (token !== undefined) {
    interceptors.push((next) => async (req) => {
      const tok = typeof token === "string" ? token : await token();
      req.header.set("authorization", `Bearer ${tok.trim()}`);
      return next(req);
    });
  }
  interceptors.push(...(options.interceptors ?? []));
  const sessions = new Http2SessionManager(url, undefined, secure ? { ca: options.ca, cert: options.cert, key: options.key } : {});
  const transport = createGrpcTransport({ baseUrl: options.baseUrl, sessionManager: sessions, interceptors });
  const compiler = createClient(CompilerService, transport);
  const policies = createClient(PolicyService, transport);
  return {
    compiler,
    policies,
    compile: (req, opts) => compiler.compile(req, opts),
    validate: (req, opts) => compiler.validate(req, opts),
    listPolicies: (req, opts) => policies.listPolicies(req ?? {}, opts),
    compileBatch: (reqs, opts) => compileBatch(compiler, reqs, opts),
    close: () => sessions.abort(),
  };
}

async function compileBatch(
  compiler: Client<typeof CompilerService>,
  reqs: MessageInitShape<typeof CompileRequestSchema>[],
  options?: CallOptions,
): Promise<BatchResult[]> {
  async function* requests() {
    for (const request of reqs) {
      yield { request };
    }
  }
  const out: (BatchResult | undefined)[] = new Array(reqs.length).fill(undefined);
  let answered = 0;
  for await (const ans of compiler.compileBatch(requests(), options)) {
    const i = Number(ans.index);
    if (!Number.isInteger(i) || i < 0 || i >= reqs.length || out[i] !== undefined) {
      throw new ConnectError(`unexpected answer index ${ans.index}`, Code.Internal);
    }
    answered++;
    switch (ans.result.case) {
      case "response":
        out[i] = { response: ans.result.value };
        break;
      case "error":
        out[i] = { error: batchError(ans.result.value) };
        break;
      default:
        throw new ConnectError(`answer ${i} has no result`, Code.Internal);
    }
  }
  if (answered !== reqs.length) {
    throw new ConnectError(`${answered} answers to ${reqs.length} requests`, Code.Internal);
  }
  return out as BatchResult[];
}

package podc

import (
	"context"

	"google.golang.org/grpc"

	podcv1 "github.com/podc-dev/podc/clients/go/gen/podc/v1"
)

// Client calls a podc server. It is safe for concurrent use; make one per
// server and share it.
type Client struct {
	conn     *grpc.ClientConn
	compiler podcv1.CompilerServiceClient
	policies podcv1.PolicyServiceClient
}

// Dial returns a client of the podc server at target: "host:port",
// "dns:///name:port" (calls are spread over every address the name
// resolves to) or any other gRPC target. Without options the connection
// uses TLS verified against the system's roots; [WithPlaintext] is for a
// server on the same machine or in a test. Like grpc.NewClient it does not
// connect until the first call.
func Dial(target string, opts ...Option) (*Client, error) {
	dopts, err := dialOptions(opts)
	if err != nil {
		return nil, err
	}
	conn, err := grpc.NewClient(target, dopts...)
	if err != nil {
		return nil, err
	}
	c := New(conn)
	c.conn = conn
	return c, nil
}

// New returns a client that calls podc over a connection the caller made
// and closes.
func New(cc grpc.ClientConnInterface) *Client {
	return &Client{
		compiler: podcv1.NewCompilerServiceClient(cc),
		policies: podcv1.NewPolicyServiceClient(cc),
	}
}

// Close closes the connection Dial made. It does nothing for a client made
// with New.
func (c *Client) Close() error {
	if c.conn == nil {
		return nil
	}
	return c.conn.Close()
}

// Compile compiles one intent. A refused intent is a status error with
// codes.InvalidArgument (malformed) or codes.FailedPrecondition (denied by
// policy); [AsRefusal] reads its findings and report.
func (c *Client) Compile(ctx context.Context, req *podcv1.CompileRequest, opts ...grpc.CallOption) (*podcv1.CompileResponse, error) {
	return c.compiler.Compile(ctx, req, opts...)
}

// Validate runs the pipeline as a dry run and returns the whole report; it
// does not fail because the intent is malformed or denied.
func (c *Client) Validate(ctx context.Context, req *podcv1.ValidateRequest, opts ...grpc.CallOption) (*podcv1.ValidateResponse, error) {
	return c.compiler.Validate(ctx, req, opts...)
}

// Import reads existing manifests (a Pod or Deployment and the Services
// that select it, or a Score workload file) into the intent that compiles
// back into them. Manifests with fields the intent cannot say fail with
// codes.FailedPrecondition unless req.AllowLoss; unreadable ones with
// codes.InvalidArgument; [AsRefusal] reads the fields of either.
func (c *Client) Import(ctx context.Context, req *podcv1.ImportRequest, opts ...grpc.CallOption) (*podcv1.ImportResponse, error) {
	return c.compiler.Import(ctx, req, opts...)
}

// ListPolicies describes the server's active policy bundle.
func (c *Client) ListPolicies(ctx context.Context, req *podcv1.ListPoliciesRequest, opts ...grpc.CallOption) (*podcv1.ListPoliciesResponse, error) {
	if req == nil {
		req = &podcv1.ListPoliciesRequest{}
	}
	return c.policies.ListPolicies(ctx, req, opts...)
}

// CompilerService is the generated client, for calls this package does not
// wrap.
func (c *Client) CompilerService() podcv1.CompilerServiceClient { return c.compiler }

// PolicyService is the generated client of the PolicyService.
func (c *Client) PolicyService() podcv1.PolicyServiceClient { return c.policies }

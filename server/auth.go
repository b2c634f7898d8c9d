package server

import (
	"context"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// healthPrefix starts the methods of grpc.health.v1.Health, which answer
// without a token: probes and load balancers must reach them.
const healthPrefix = "/grpc.health.v1.Health/"

// authUnary refuses, with UNAUTHENTICATED, a call without a valid bearer
// token ("authorization: Bearer <token>" metadata). Health checks pass;
// reflection needs a token like the API.
func authUnary(tokens *Tokens, obs Observer) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if err := authorize(ctx, tokens, info.FullMethod, obs); err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// authStream is authUnary for streaming calls.
func authStream(tokens *Tokens, obs Observer) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if err := authorize(ss.Context(), tokens, info.FullMethod, obs); err != nil {
			return err
		}
		return handler(srv, ss)
	}
}

// authorize checks the call's bearer token, telling obs (when set) of a
// refusal.
func authorize(ctx context.Context, tokens *Tokens, method string, obs Observer) error {
	err := checkToken(ctx, tokens, method)
	if err != nil && obs != nil {
		obs.Refused(ReasonUnauthenticated)
	}
	return err
}

func checkToken(ctx context.Context, tokens *Tokens, method string) error {
	if strings.HasPrefix(method, healthPrefix) {
		return nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get("authorization")
	if len(vals) == 0 {
		return status.Error(codes.Unauthenticated, "missing bearer token: send the metadata \"authorization: Bearer <token>\"")
	}
	scheme, tok, ok := strings.Cut(vals[0], " ")
	if len(vals) != 1 || !ok || !strings.EqualFold(scheme, "Bearer") || !tokens.Valid(strings.TrimSpace(tok)) {
		return status.Error(codes.Unauthenticated, "invalid bearer token")
	}
	return nil
}

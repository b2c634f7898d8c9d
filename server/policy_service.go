package server

import (
	"context"
	"fmt"
	"slices"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/podc-dev/podc/compiler/policy"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// maxListError bounds the last load error ListPolicies shows.
const maxListError = 8 << 10

// policyService implements podc.v1.PolicyService.
type policyService struct {
	podcv1.UnimplementedPolicyServiceServer
	p Policies
}

// ListPolicies describes the active bundle. Where a bundle directory is on
// the server's disk stays in the server's logs: callers see the source
// "directory" and, in the last error, file names relative to the bundle.
func (s *policyService) ListPolicies(ctx context.Context, req *podcv1.ListPoliciesRequest) (*podcv1.ListPoliciesResponse, error) {
	b := s.p.Bundle()
	if p := req.GetProfile(); p != "" && !hasProfile(b.Profiles(), p) {
		return nil, status.Error(codes.InvalidArgument, clip(fmt.Sprintf("profile: no profile %q in the loaded bundle", p), maxStatusMessage))
	}
	st := s.p.Status()
	resp := &podcv1.ListPoliciesResponse{
		Digest:    b.Digest(),
		Source:    publicSource(b.Source()),
		LastError: clip(stripDir(st.LastError, b.Source()), maxListError),
	}
	if !st.LoadedAt.IsZero() {
		resp.LoadedAt = timestamppb.New(st.LoadedAt)
	}
	if !st.LastErrorAt.IsZero() {
		resp.LastErrorAt = timestamppb.New(st.LastErrorAt)
	}
	for _, p := range b.Profiles() {
		resp.Profiles = append(resp.Profiles, &podcv1.Profile{Name: p.Name, Description: p.Description})
	}
	faults, excepted := b.Faults(), b.Excepted()
	for _, r := range b.Rules() {
		if req.GetProfile() != "" && !slices.Contains(r.Profiles, req.GetProfile()) {
			continue
		}
		resp.Rules = append(resp.Rules, &podcv1.Rule{
			Id:          r.ID,
			Profiles:    r.Profiles,
			Severity:    severityProto(r.Severity),
			Message:     r.Message,
			Description: r.Description,
			Stage:       stageProto(r.Stage),
			Faults:      faults[r.ID],
			Position:    b.RulePosition(r.ID),
			Excepted:    excepted[r.ID],
			Exception:   exceptionTermsProto(r.Exception),
		})
	}
	return resp, nil
}

func hasProfile(ps []policy.Profile, name string) bool {
	for _, p := range ps {
		if p.Name == name {
			return true
		}
	}
	return false
}

// exceptionTermsProto is a rule's exception terms; nil for a rule that
// cannot be excepted.
func exceptionTermsProto(t *policy.ExceptionTerms) *podcv1.ExceptionTerms {
	if t == nil {
		return nil
	}
	return &podcv1.ExceptionTerms{Conditional: t.Conditional, RequireExpiry: t.RequireExpiry, MaxDays: uint32(t.MaxDays)}
}

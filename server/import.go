package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/importer"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Reasons carried in google.rpc.ErrorInfo when an import is refused.
const (
	// ReasonInvalidManifests: the manifests of an Import cannot be read, or
	// hold no workload or two (INVALID_ARGUMENT).
	ReasonInvalidManifests = "INVALID_MANIFESTS"
	// ReasonLossyImport: the manifests of an Import hold fields the intent
	// cannot say, and allow_loss is off (FAILED_PRECONDITION); the
	// metadata "lost" counts them.
	ReasonLossyImport = "LOSSY_IMPORT"
)

// Import reads manifests into an intent. It takes a compile slot: an
// import defaults each object with the apiserver's code, CPU work of the
// same order as a compile.
func (s *compilerService) Import(ctx context.Context, req *podcv1.ImportRequest) (*podcv1.ImportResponse, error) {
	if !s.slots.take() {
		return nil, s.refuse(s.slots.overloaded().Err())
	}
	defer s.slots.give()
	if err := ctx.Err(); err != nil {
		return nil, status.FromContextError(err).Err()
	}
	res, err := importer.Import([]byte(req.GetManifests()), importer.Options{
		Format:    manifestFormat(req.GetFormat()),
		AllowLoss: req.GetAllowLoss(),
		Values:    req.GetValues(),
	})
	if err != nil {
		return nil, s.refuse(importStatus(s.log, err).Err())
	}
	out := &podcv1.ImportResponse{Intent: res.Intent, Notes: res.Notes}
	for _, l := range res.Lost {
		out.Lost = append(out.Lost, &podcv1.LostField{
			Object: l.Object, Field: l.Field, Reason: l.Reason, Line: int32(l.Line), Column: int32(l.Column),
		})
	}
	return out, nil
}

// manifestFormat maps the request's format.
func manifestFormat(f podcv1.ManifestFormat) importer.Format {
	switch f {
	case podcv1.ManifestFormat_MANIFEST_FORMAT_YAML:
		return importer.YAML
	case podcv1.ManifestFormat_MANIFEST_FORMAT_JSON:
		return importer.JSON
	}
	return importer.Detect
}

// importStatus maps an import's error to a status: unreadable manifests
// are INVALID_ARGUMENT, a lossy import without allow_loss
// FAILED_PRECONDITION (the manifests are fine, the request's choice not to
// lose anything cannot be met), both with a google.rpc.BadRequest naming
// each problem or lost field ("Deployment/web: spec.template.spec.affinity")
// and a google.rpc.ErrorInfo, bounded like every status. Anything else is
// podc's fault: INTERNAL, logged.
func importStatus(log *slog.Logger, err error) *status.Status {
	var ie *importer.InputError
	var le *importer.LossError
	var (
		code   codes.Code
		reason string
		what   string
		fs     []diag.Finding
		meta   map[string]string
	)
	switch {
	case errors.As(err, &ie):
		code, reason, what = codes.InvalidArgument, ReasonInvalidManifests, "invalid manifests"
		for _, p := range ie.Problems {
			field := "manifests"
			if p.Object != "" {
				field = p.Object
				if p.Field != "" {
					field += ": " + p.Field
				}
			}
			fs = append(fs, diag.Finding{Field: field, Message: p.Message + at(p.Line, p.Column)})
		}
	case errors.As(err, &le):
		code, reason = codes.FailedPrecondition, ReasonLossyImport
		what = fmt.Sprintf("%d fields the intent cannot say; allow_loss drops them", len(le.Lost))
		meta = map[string]string{"lost": strconv.Itoa(len(le.Lost))}
		for _, l := range le.Lost {
			fs = append(fs, diag.Finding{Field: l.Path(), Message: l.Reason + at(l.Line, l.Column)})
		}
	default:
		log.Error("import failed", "error", err)
		return status.New(codes.Internal, "internal error; the fault is logged")
	}
	msg := what + ": "
	for i, f := range fs {
		if i == 3 {
			msg += fmt.Sprintf("; and %d more (see details)", len(fs)-3)
			break
		}
		if i > 0 {
			msg += "; "
		}
		msg += clip(f.Field+": "+f.Message, (maxStatusMessage-64)/3)
	}
	st := status.New(code, clip(msg, maxStatusMessage))
	details := []protoadapt.MessageV1{
		badRequest(fs, maxViolationBytes),
		&errdetails.ErrorInfo{Reason: reason, Domain: ErrorDomain, Metadata: meta},
	}
	if withDetails, derr := st.WithDetails(details...); derr == nil {
		return withDetails
	}
	return st
}

// at is " (at line:column)", or nothing when the position is unknown.
func at(line, col int) string {
	if line <= 0 {
		return ""
	}
	return fmt.Sprintf(" (at %d:%d)", line, col)
}

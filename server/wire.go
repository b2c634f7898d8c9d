package server

import (
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/render"
)

// This file writes a compile result straight into the protobuf encoding
// of its podc.v1.CompileResponse, the message responseOf would build,
// without building it: no message per default, decision or manifest, and
// no reflection. The fields are written in field-number order, empty
// scalars left out, as the protobuf runtime writes them; tests check
// that every result, and a report with every field set, decodes to
// exactly what the message conversion gives.

// Field numbers of podc.v1.CompileResponse and the messages in it (see
// proto/podc/v1/compiler.proto and report.proto).
const (
	responseManifests     = 1
	responseReport        = 2
	responsePolicyDigest  = 3
	responseTargetVersion = 4

	manifestKind       = 1
	manifestName       = 2
	manifestAPIVersion = 3
	manifestNamespace  = 4
	manifestContent    = 5

	reportFindings     = 1
	reportDefaults     = 2
	reportDecisions    = 3
	reportNotes        = 4
	reportAllowed      = 5
	reportProfile      = 6
	reportFieldSources = 7
	reportExcepted     = 8

	findingSeverity      = 1
	findingStage         = 2
	findingRuleID        = 3
	findingField         = 4
	findingManifestField = 5
	findingMessage       = 6
	findingFault         = 7

	defaultField  = 1
	defaultValue  = 2
	defaultSource = 3
	defaultReason = 4

	decisionRuleID    = 1
	decisionSeverity  = 2
	decisionOutcome   = 3
	decisionException = 4

	exceptionField   = 1
	exceptionReason  = 2
	exceptionExpires = 3
	exceptionState   = 4
	exceptionMessage = 5

	sourceObject        = 1
	sourceManifestField = 2
	sourceKind          = 3
	sourceIntentField   = 4
	sourceRuleID        = 5
)

// encodeResponse returns the encoding of res's CompileResponse.
func encodeResponse(res *compiler.Result) []byte {
	return appendResponse(make([]byte, 0, responseSizeHint(res)), res)
}

// responseSizeHint is a bound on the size of res's encoding, a little
// above it: every text's length, and for each field and message more
// than its tag and length take (for lengths under 2 MiB), so that the encoding
// is written into one buffer, never grown.
func responseSizeHint(res *compiler.Result) int {
	const field, message = 4, 4 // tag and length of a field; of a message
	n := 64
	for _, m := range res.Manifests {
		n += message + 5*field + len(m.Content) + len(m.Kind) + len(m.Name) + len(m.APIVersion) + len(m.Namespace)
	}
	r := &res.Report
	n += message + 2*field + len(r.Profile)
	for i := range r.Findings {
		n += findingSizeHint(&r.Findings[i])
	}
	for i := range r.Excepted {
		n += findingSizeHint(&r.Excepted[i])
	}
	for _, d := range r.Defaults {
		n += message + 4*field + len(d.Field) + len(d.Value) + len(d.Source) + len(d.Reason)
	}
	for _, d := range r.Decisions {
		n += message + 3*field + len(d.RuleID)
		if x := d.Exception; x != nil {
			n += message + 5*field + len(x.Field) + len(x.Reason) + len(x.Expires) + len(x.Message)
		}
	}
	for _, note := range r.Notes {
		n += field + len(note)
	}
	for _, s := range r.Sources {
		n += message + 5*field + len(s.Object) + len(s.ManifestField) + len(s.IntentField) + len(s.RuleID)
	}
	return n
}

func findingSizeHint(f *diag.Finding) int {
	return 4 + 7*4 + len(f.RuleID) + len(f.Field) + len(f.ManifestField) + len(f.Message)
}

// appendResponse appends the encoding of res's CompileResponse to b.
func appendResponse(b []byte, res *compiler.Result) []byte {
	for i := range res.Manifests {
		at := 0
		b, at = openMessage(b, responseManifests)
		b = appendManifest(b, &res.Manifests[i])
		b = closeMessage(b, at)
	}
	at := 0
	b, at = openMessage(b, responseReport)
	b = appendReport(b, &res.Report)
	b = closeMessage(b, at)
	b = appendString(b, responsePolicyDigest, res.PolicyDigest)
	return appendString(b, responseTargetVersion, res.Target.String())
}

func appendManifest(b []byte, m *render.Manifest) []byte {
	b = appendString(b, manifestKind, m.Kind)
	b = appendString(b, manifestName, m.Name)
	b = appendString(b, manifestAPIVersion, m.APIVersion)
	b = appendString(b, manifestNamespace, m.Namespace)
	if len(m.Content) > 0 {
		b = protowire.AppendTag(b, manifestContent, protowire.BytesType)
		b = protowire.AppendBytes(b, m.Content)
	}
	return b
}

// appendReport appends the fields of r's Report message to b.
func appendReport(b []byte, r *diag.Report) []byte {
	at := 0
	for i := range r.Findings {
		b, at = openMessage(b, reportFindings)
		b = appendFinding(b, &r.Findings[i])
		b = closeMessage(b, at)
	}
	for i := range r.Defaults {
		d := &r.Defaults[i]
		b, at = openMessage(b, reportDefaults)
		b = appendString(b, defaultField, d.Field)
		b = appendString(b, defaultValue, d.Value)
		b = appendString(b, defaultSource, d.Source)
		b = appendString(b, defaultReason, d.Reason)
		b = closeMessage(b, at)
	}
	for i := range r.Decisions {
		d := &r.Decisions[i]
		b, at = openMessage(b, reportDecisions)
		b = appendString(b, decisionRuleID, d.RuleID)
		b = appendEnum(b, decisionSeverity, int32(severityProto(d.Severity)))
		b = appendEnum(b, decisionOutcome, int32(outcomeProto(d.Outcome)))
		if x := d.Exception; x != nil {
			inner := 0
			b, inner = openMessage(b, decisionException)
			b = appendString(b, exceptionField, x.Field)
			b = appendString(b, exceptionReason, x.Reason)
			b = appendString(b, exceptionExpires, x.Expires)
			b = appendEnum(b, exceptionState, int32(exceptionStateProto(x.State)))
			b = appendString(b, exceptionMessage, x.Message)
			b = closeMessage(b, inner)
		}
		b = closeMessage(b, at)
	}
	for _, note := range r.Notes {
		b = protowire.AppendTag(b, reportNotes, protowire.BytesType)
		b = protowire.AppendString(b, note)
	}
	b = appendBool(b, reportAllowed, r.Allowed())
	b = appendString(b, reportProfile, r.Profile)
	for i := range r.Sources {
		s := &r.Sources[i]
		b, at = openMessage(b, reportFieldSources)
		b = appendString(b, sourceObject, s.Object)
		b = appendString(b, sourceManifestField, s.ManifestField)
		b = appendEnum(b, sourceKind, int32(sourceKindProto(s.Origin)))
		b = appendString(b, sourceIntentField, s.IntentField)
		b = appendString(b, sourceRuleID, s.RuleID)
		b = closeMessage(b, at)
	}
	for i := range r.Excepted {
		b, at = openMessage(b, reportExcepted)
		b = appendFinding(b, &r.Excepted[i])
		b = closeMessage(b, at)
	}
	return b
}

func appendFinding(b []byte, f *diag.Finding) []byte {
	b = appendEnum(b, findingSeverity, int32(severityProto(f.Severity)))
	b = appendEnum(b, findingStage, int32(stageProto(f.Stage)))
	b = appendString(b, findingRuleID, f.RuleID)
	b = appendString(b, findingField, f.Field)
	b = appendString(b, findingManifestField, f.ManifestField)
	b = appendString(b, findingMessage, f.Message)
	return appendBool(b, findingFault, f.Fault)
}

// openMessage appends the tag of message field num and one byte for its
// length, and returns where that byte is, for closeMessage once the
// message's fields follow it.
func openMessage(b []byte, num protowire.Number) ([]byte, int) {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return append(b, 0), len(b)
}

// closeMessage writes the length of the message whose fields were
// appended after at, moving them when the length takes more than the one
// byte openMessage left.
func closeMessage(b []byte, at int) []byte {
	n := len(b) - at - 1
	if n < 0x80 {
		b[at] = byte(n)
		return b
	}
	size := protowire.SizeVarint(uint64(n))
	b = append(b, make([]byte, size-1)...)
	copy(b[at+size:], b[at+1:at+1+n])
	protowire.AppendVarint(b[at:at], uint64(n))
	return b
}

// appendString appends string field num, left out when empty as proto3
// leaves it.
func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// appendBool appends bool field num, left out when false.
func appendBool(b []byte, num protowire.Number, v bool) []byte {
	if !v {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return append(b, 1)
}

// appendEnum appends enum field num, left out when zero.
func appendEnum(b []byte, num protowire.Number, v int32) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(int64(v)))
}

package server

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// clipReport clips the texts of r's findings in place, where echoed intent
// values show up, and returns r.
func clipReport(r *podcv1.Report) *podcv1.Report {
	for _, fs := range [][]*podcv1.Finding{r.Findings, r.Excepted} {
		for _, f := range fs {
			f.Field = clip(f.Field, maxFieldPath)
			f.ManifestField = clip(f.ManifestField, maxFieldPath)
			f.Message = clip(f.Message, maxText)
			f.RuleId = clip(f.RuleId, maxRuleID)
		}
	}
	for _, d := range r.Decisions {
		if x := d.Exception; x != nil {
			x.Reason = clip(x.Reason, maxText)
			x.Expires = clip(x.Expires, maxFieldPath)
			x.Message = clip(x.Message, maxText)
		}
	}
	for _, d := range r.Defaults {
		d.Field = clip(d.Field, maxFieldPath)
		d.Value = clip(d.Value, maxText)
	}
	for _, s := range r.FieldSources {
		s.Object = clip(s.Object, maxFieldPath)
		s.ManifestField = clip(s.ManifestField, maxFieldPath)
		s.IntentField = clip(s.IntentField, maxFieldPath)
		s.RuleId = clip(s.RuleId, maxRuleID)
	}
	return r
}

// trimReport returns r when it fits in budget bytes; otherwise a copy with
// as many findings, then decisions, then excepted violations, then
// defaults, then field sources as fit, and a note saying what was left
// out. Validate returns the whole report.
func trimReport(r *podcv1.Report, budget int) *podcv1.Report {
	if proto.Size(r) <= budget {
		return r
	}
	const noteRoom = 200
	out := &podcv1.Report{Allowed: r.Allowed, Profile: r.Profile}
	size := proto.Size(out)
	fits := func(m proto.Message) bool {
		n := proto.Size(m)
		n += 1 + protowire.SizeVarint(uint64(n))
		if size+n > budget-noteRoom {
			return false
		}
		size += n
		return true
	}
	for _, f := range r.Findings {
		if !fits(f) {
			break
		}
		out.Findings = append(out.Findings, f)
	}
	if len(out.Findings) == len(r.Findings) {
		for _, d := range r.Decisions {
			if !fits(d) {
				break
			}
			out.Decisions = append(out.Decisions, d)
		}
	}
	if len(out.Decisions) == len(r.Decisions) {
		for _, f := range r.Excepted {
			if !fits(f) {
				break
			}
			out.Excepted = append(out.Excepted, f)
		}
	}
	if len(out.Excepted) == len(r.Excepted) && len(out.Decisions) == len(r.Decisions) {
		for _, d := range r.Defaults {
			if !fits(d) {
				break
			}
			out.Defaults = append(out.Defaults, d)
		}
	}
	if len(out.Defaults) == len(r.Defaults) {
		for _, s := range r.FieldSources {
			if !fits(s) {
				break
			}
			out.FieldSources = append(out.FieldSources, s)
		}
	}
	shown := fmt.Sprintf("%d of %d findings, %d of %d policy decisions and %d of %d defaults",
		len(out.Findings), len(r.Findings), len(out.Decisions), len(r.Decisions), len(out.Defaults), len(r.Defaults))
	if len(r.FieldSources) > 0 {
		shown = fmt.Sprintf("%d of %d findings, %d of %d policy decisions, %d of %d defaults and %d of %d field sources",
			len(out.Findings), len(r.Findings), len(out.Decisions), len(r.Decisions), len(out.Defaults), len(r.Defaults),
			len(out.FieldSources), len(r.FieldSources))
	}
	if len(r.Excepted) > 0 {
		shown += fmt.Sprintf(" (and %d of %d excepted violations)", len(out.Excepted), len(r.Excepted))
	}
	out.Notes = append(out.Notes, "report trimmed to keep the error small: "+shown+" shown, notes left out; Validate returns the whole report")
	return out
}

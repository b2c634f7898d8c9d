package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"cuelang.org/go/cue"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

var (
	pathAllowed = cue.MakePath(cue.Str("allowed"))
	day         = 24 * time.Hour
)

// verdict is what an exception form produced on an intent: whether the
// bundle allows the intent to except the rule, and the bundle's message
// when it does not.
type verdict struct {
	allowed bool
	message string
}

// Exceptions is the judgement of one intent's exceptions under a bundle
// and a profile, at one instant (Params.Now): which rules of the profile
// they except, and until when that judgement holds. EvaluateIntent makes
// it; EvaluateManifests reads it (Params.Exceptions). It is never changed
// once made, so it may be shared.
type Exceptions struct {
	// byRule holds, by rule index, the exception to each rule of the
	// profile that the intent asks for.
	byRule map[int]*judged
	// Until is the next instant after the judgement at which one of the
	// intent's exceptions changes state: it expires, or comes within its
	// rule's maxDays. A result computed with this judgement holds until
	// then and no longer; the zero time means it holds for good.
	Until time.Time
}

// judged is one exception of the intent to a rule of the profile.
type judged struct {
	diag.Exception
	// applies: the bundle allows it and it has not expired, so its rule's
	// violations are excepted. The state (applied or unused) and the
	// message are then settled when the rule decides.
	applies bool
}

// decided returns the exception as the decision of its rule reports it:
// one that applies is applied when it excepted n violations, else unused.
func (j *judged) decided(n int) *diag.Exception {
	e := j.Exception
	if j.applies {
		if n > 0 {
			e.State = diag.ExceptionApplied
			e.Message = fmt.Sprintf("%d %s excepted", n, plural(n, "violation", "violations"))
		} else {
			e.State = diag.ExceptionUnused
			e.Message = "the rule found nothing to except: the exception may be dropped"
		}
	}
	return &e
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// exceptionJudge judges an intent's exceptions: first what needs no
// evaluation (the rule's existence, its profile, its terms, the expiry),
// then, from the outcomes of the rules' exception forms, whether the
// bundle allows the rest.
type exceptionJudge struct {
	b  *Bundle
	p  Params
	ex *Exceptions
	// forms are the exception forms to evaluate on the whole intent, each
	// for the exception at formFields, and waiting the exceptions that
	// need their verdicts.
	forms      []*form
	formFields []string
	waiting    []waitingException
	// findings are the intent's problems with its exceptions: unknown
	// rules (invalid intent), refusals (denials) and expiries (warnings).
	findings []diag.Finding
	notes    []string
}

// waitingException is an exception that needs its rule's verdict.
type waitingException struct {
	j       *judged
	rule    int
	field   diag.Path
	expires time.Time // zero: none
}

// judgeExceptions judges what it can of wi's exceptions without
// evaluating the bundle, at p.Now. Entries without a rule id or naming a
// rule named before are left to the structural checks, which refuse them.
func (b *Bundle) judgeExceptions(wi *podcv1.WorkloadIntent, pr *profileRules, p Params) *exceptionJudge {
	jd := &exceptionJudge{b: b, p: p, ex: &Exceptions{byRule: map[int]*judged{}}}
	seen := map[string]bool{}
	for i, e := range wi.GetExceptions() {
		field := diag.Path("exceptions").Index(i)
		id := e.GetRule()
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		r, known := b.byID[id]
		if !known {
			jd.findings = append(jd.findings, diag.Denyf(diag.StageIntent, field.Field("rule").String(),
				"no rule %q in the policy bundle; %s", id, b.exceptableList(p.Profile, pr)))
			continue
		}
		rule := &b.rules[r]
		var expires time.Time
		expiresOK := true
		if s := e.GetExpires(); s != "" {
			t, err := intent.ParseExpiry(s)
			if err == nil {
				expires = t
				jd.until(t)
				if rule.Exception != nil && rule.Exception.MaxDays > 0 {
					jd.until(t.Add(-time.Duration(rule.Exception.MaxDays) * day))
				}
			}
			expiresOK = err == nil
		}
		if !pr.has(r) {
			jd.notes = append(jd.notes, fmt.Sprintf("%s: %s is not a rule of profile %s: the exception has no effect here", field, id, p.Profile))
			continue
		}
		j := &judged{Exception: diag.Exception{Field: field.String(), Reason: e.GetReason(), Expires: e.GetExpires()}}
		jd.ex.byRule[r] = j
		switch {
		case rule.Exception == nil:
			why := b.refusals[r]
			if why == "" {
				why = "the policy bundle allows no exception to it"
			}
			jd.refuse(j, rule, field.Field("rule"), fmt.Sprintf("%s cannot be excepted: %s", id, why))
		case !expiresOK:
			// The structural checks refuse the intent at its expires.
			j.State, j.Message = diag.ExceptionRefused, "its expiry is not an RFC 3339 date or timestamp"
		case !expires.IsZero() && !p.Now.Before(expires):
			j.State = diag.ExceptionExpired
			j.Message = "expired at " + expires.UTC().Format(time.RFC3339)
			jd.findings = append(jd.findings, diag.Finding{
				Severity: diag.Warn, Stage: diag.StageIntentPolicy, RuleID: id, Field: field.Field("expires").String(),
				Message: fmt.Sprintf("the exception to %s expired (%s): the rule decides as without it", id, e.GetExpires()),
			})
		default:
			jd.waiting = append(jd.waiting, waitingException{j: j, rule: r, field: field, expires: expires})
			jd.forms = append(jd.forms, b.exceptionForms[r])
			jd.formFields = append(jd.formFields, field.String())
		}
	}
	return jd
}

// until records t as an instant at which an exception may change state,
// if it lies after now.
func (jd *exceptionJudge) until(t time.Time) {
	if t.After(jd.p.Now) && (jd.ex.Until.IsZero() || t.Before(jd.ex.Until)) {
		jd.ex.Until = t
	}
}

// refuse records that the bundle does not allow j: a denial at field,
// under the rule's id.
func (jd *exceptionJudge) refuse(j *judged, r *Rule, field diag.Path, msg string) {
	j.State, j.Message = diag.ExceptionRefused, msg
	jd.findings = append(jd.findings, diag.Finding{
		Severity: diag.Deny, Stage: diag.StageIntentPolicy, RuleID: r.ID, Field: field.String(), Message: msg,
	})
}

// finish judges the waiting exceptions from the outcomes of their rules'
// exception forms among outs. A form that faulted is reported as its
// rule's fault by assemble; its exception does not apply.
func (jd *exceptionJudge) finish(outs []formOut) {
	verdicts := map[int]*outcome{}
	for i := range outs {
		if o := &outs[i]; o.form.part == partException {
			verdicts[o.form.rule] = o.outcome
		}
	}
	for _, w := range jd.waiting {
		r := &jd.b.rules[w.rule]
		o := verdicts[w.rule]
		t := r.Exception
		switch {
		case o == nil || o.fault != "" || o.verdict == nil:
			w.j.State = diag.ExceptionRefused
			w.j.Message = "the bundle's exception terms for the rule failed to evaluate: the rule decides as without it"
		case !o.verdict.allowed:
			msg := "the policy bundle does not allow this workload an exception to " + r.ID
			if o.verdict.message != "" {
				msg += ": " + o.verdict.message
			}
			jd.refuse(w.j, r, w.field.Field("rule"), msg)
		case t.RequireExpiry && w.expires.IsZero():
			msg := "an exception to " + r.ID + " needs an expiry (an RFC 3339 date or timestamp)"
			if t.MaxDays > 0 {
				msg += fmt.Sprintf(" at most %d days away", t.MaxDays)
			}
			jd.refuse(w.j, r, w.field.Field("expires"), msg)
		case t.MaxDays > 0 && w.expires.Sub(jd.p.Now) > time.Duration(t.MaxDays)*day:
			jd.refuse(w.j, r, w.field.Field("expires"), fmt.Sprintf(
				"%s is more than %d days away: an exception to %s may last at most %d days", w.j.Expires, t.MaxDays, r.ID, t.MaxDays))
		default:
			w.j.applies = true
		}
	}
}

// has reports whether rule r is one of the profile's.
func (pr *profileRules) has(r int) bool {
	for _, rs := range [][]int{pr.intent, pr.manifest} {
		for _, x := range rs {
			if x == r {
				return true
			}
		}
	}
	return false
}

// exceptableList says which rules of the profile an intent may except.
func (b *Bundle) exceptableList(profile string, pr *profileRules) string {
	var ids []string
	for _, rs := range [][]int{pr.intent, pr.manifest} {
		for _, r := range rs {
			if b.rules[r].Exception != nil {
				ids = append(ids, b.rules[r].ID)
			}
		}
	}
	if len(ids) == 0 {
		return "profile " + profile + " lets intents except none of its rules"
	}
	slices.Sort(ids)
	return "profile " + profile + " lets intents except " + strings.Join(ids, ", ")
}

// readException reads an exception form's terms: allowed must be a
// concrete bool, message a string if present.
func (b *Bundle) readException(v cue.Value) (*outcome, error) {
	a := v.LookupPath(pathAllowed)
	if !a.Exists() {
		return nil, fmt.Errorf("exception.allowed: missing")
	}
	allowed, err := a.Bool()
	if err != nil {
		return nil, err
	}
	msg, err := optString(v, pathMessage)
	if err != nil {
		return nil, err
	}
	return &outcome{verdict: &verdict{allowed: allowed, message: msg}}, nil
}

// Excepted returns, by rule id, how many times each rule decided
// diag.OutcomeExcepted since the bundle was loaded; rules that never did
// are left out.
func (b *Bundle) Excepted() map[string]uint64 {
	out := map[string]uint64{}
	for i := range b.excepted {
		if n := b.excepted[i].Load(); n > 0 {
			out[b.rules[i].ID] = n
		}
	}
	return out
}

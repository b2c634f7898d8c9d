package randintent

import (
	"fmt"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// exceptions now and then asks for exceptions to policy rules, from
// Options.ExceptionRules: each rule at most once, with a reason, and an
// expiry long past, far ahead or none, as a date or a timestamp with its
// offset. Nothing is drawn without rules, so the intents of a seed stay
// what they were for callers that give none.
func (b *builder) exceptions() {
	rules := b.opts.ExceptionRules
	if len(rules) == 0 || !b.chance(0.25) {
		return
	}
	seen := map[string]bool{}
	for range b.between(1, min(3, len(rules))) {
		rule := unique(seen, func() string { return pick(b, rules...) })
		e := &podcv1.PolicyException{Rule: rule, Reason: pick(b, "adopting the profile", "sized after the next load test", "héllo ✓ "+b.from(anyAlnum, 4))}
		switch b.r.Intn(5) {
		case 0:
			e.Expires = fmt.Sprintf("20%02d-%02d-%02d", b.between(0, 20), b.between(1, 12), b.between(1, 28))
		case 1:
			e.Expires = fmt.Sprintf("2%d-%02d-%02d", b.between(900, 999), b.between(1, 12), b.between(1, 28))
		case 2:
			e.Expires = fmt.Sprintf("2%d-06-30T%02d:%02d:00%s", b.between(900, 999), b.between(0, 23), b.between(0, 59), pick(b, "Z", "+02:00", "-05:30"))
		case 3:
			e.Expires = fmt.Sprintf("2010-01-01T00:00:00%s", pick(b, "Z", "+14:00"))
		}
		b.wi.Exceptions = append(b.wi.Exceptions, e)
	}
}

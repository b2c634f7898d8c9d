package intent

import (
	"fmt"
	"strings"
	"time"

	"github.com/podc-dev/podc/compiler/diag"
)

// ParseExpiry reads an exception's expires and returns the instant the
// exception stops applying. It takes an RFC 3339 date ("2025-12-31"),
// which holds through that day in UTC, so the exception stops at the next
// midnight UTC, or an RFC 3339 timestamp with its offset
// ("2025-12-31T18:00:00Z", "2025-12-31T18:00:00+02:00"), which stops it
// at that instant.
func ParseExpiry(s string) (time.Time, error) {
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.AddDate(0, 0, 1), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not an RFC 3339 date (2025-12-31) or timestamp with its offset (2025-12-31T18:00:00Z)", s)
}

// exceptions checks the intent's exceptions to policy rules: each names a
// rule, at most once, with a reason, and an expiry that parses when it has
// one. Whether the rule exists, and whether the policy bundle allows the
// exception, the policy engine decides.
func (c *checker) exceptions() {
	seen := map[string]int{}
	for i, e := range c.wi.GetExceptions() {
		p := diag.Path("exceptions").Index(i)
		rule := e.GetRule()
		if rule == "" {
			c.addf(p.Field("rule"), "a rule id is needed: the policy rule to except, as ListPolicies lists it (restricted.memory-limit)")
		} else if j, dup := seen[rule]; dup {
			c.addf(p.Field("rule"), "%s is excepted already by exceptions[%d]: one exception per rule", rule, j)
		} else {
			seen[rule] = i
		}
		if strings.TrimSpace(e.GetReason()) == "" {
			c.addf(p.Field("reason"), "a reason is needed: why the workload needs the exception, for the people who review it")
		}
		if s := e.GetExpires(); s != "" {
			if _, err := ParseExpiry(s); err != nil {
				c.addf(p.Field("expires"), "%v", err)
			}
		}
	}
}

package metrics

import (
	"sync"
	"sync/atomic"

	"github.com/podc-dev/podc/compiler/diag"
)

// outcomes names each diag.Outcome, indexed by the outcome less one.
var outcomes = [...]string{"pass", "warn", "deny", "fault", "excepted"}

// outcomeName is the label value of o; "" for an outcome outside the list.
func outcomeName(o diag.Outcome) string {
	if o < 1 || int(o) > len(outcomes) {
		return ""
	}
	return outcomes[o-1]
}

// ruleCounts are one rule's decisions, by outcome.
type ruleCounts [len(outcomes)]atomic.Uint64

// decisions counts policy decisions by rule and outcome. The scrape
// collector exports them for the rules of the active bundle only and
// forgets the others, so the rules counted are bounded by the bundle. It
// is safe for concurrent use.
type decisions struct {
	mu     sync.RWMutex
	byRule map[string]*ruleCounts
}

func newDecisions() *decisions { return &decisions{byRule: map[string]*ruleCounts{}} }

// add counts ds.
func (d *decisions) add(ds []diag.Decision) {
	for _, dec := range ds {
		if outcomeName(dec.Outcome) == "" {
			continue
		}
		d.counts(dec.RuleID)[dec.Outcome-1].Add(1)
	}
}

// counts returns the counters of rule, made on first use.
func (d *decisions) counts(rule string) *ruleCounts {
	d.mu.RLock()
	c := d.byRule[rule]
	d.mu.RUnlock()
	if c != nil {
		return c
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if c = d.byRule[rule]; c == nil {
		c = new(ruleCounts)
		d.byRule[rule] = c
	}
	return c
}

// get returns how many times rule decided o.
func (d *decisions) get(rule string, o diag.Outcome) uint64 {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if c := d.byRule[rule]; c != nil && outcomeName(o) != "" {
		return c[o-1].Load()
	}
	return 0
}

// keep forgets every rule for which keep is false.
func (d *decisions) keep(keep func(rule string) bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for rule := range d.byRule {
		if !keep(rule) {
			delete(d.byRule, rule)
		}
	}
}

package metrics_test

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/internal/bundletest"
	"github.com/podc-dev/podc/internal/lru"
	"github.com/podc-dev/podc/server/metrics"
)

// fakeEngine reports fixed cache counters.
type fakeEngine struct {
	stats    lru.Stats
	inFlight int
}

func (f fakeEngine) ResultCacheStats() lru.Stats { return f.stats }
func (f fakeEngine) InFlight() int               { return f.inFlight }

const twoRules = `package p
profiles: baseline: description: "b"
rules: "p.deny": {profiles: ["baseline"], severity: "deny", stage: "intent", message: "m", description: "d",
	violations: [if intent.name == "x" {field: "name"}]}
rules: "p.warn": {profiles: ["baseline"], severity: "warn", stage: "intent", message: "m", description: "d",
	violations: [if intent.name == "y" {field: "name"}], exception: allowed: true}
`

// value returns the value of the series name{labels}, and whether it is
// exported.
func value(t *testing.T, m *metrics.Metrics, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, s := range f.GetMetric() {
			got := map[string]string{}
			for _, l := range s.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if got[k] != v {
					continue series
				}
			}
			return sampleValue(f.GetType(), s), true
		}
	}
	return 0, false
}

func sampleValue(typ dto.MetricType, s *dto.Metric) float64 {
	switch typ {
	case dto.MetricType_COUNTER:
		return s.GetCounter().GetValue()
	case dto.MetricType_GAUGE:
		return s.GetGauge().GetValue()
	case dto.MetricType_HISTOGRAM:
		return float64(s.GetHistogram().GetSampleCount())
	}
	return -1
}

func want(t *testing.T, m *metrics.Metrics, name string, labels map[string]string, v float64) {
	t.Helper()
	got, ok := value(t, m, name, labels)
	if !ok {
		t.Errorf("%s%v is not exported", name, labels)
	} else if got != v {
		t.Errorf("%s%v = %v, want %v", name, labels, got, v)
	}
}

func absent(t *testing.T, m *metrics.Metrics, name string, labels map[string]string) {
	t.Helper()
	if v, ok := value(t, m, name, labels); ok {
		t.Errorf("%s%v = %v is exported, want no such series", name, labels, v)
	}
}

func TestObserverSeries(t *testing.T) {
	m := metrics.New(metrics.Options{Reasons: []string{"INVALID_INTENT", "OVERLOADED"}})
	m.StageDone(compiler.StageCompile, 3*time.Millisecond)
	m.StageDone(compiler.StageCompile, time.Millisecond)
	m.StageDone(compiler.StageDecode, time.Microsecond)
	m.StageDone("no-such-stage", time.Second)
	m.Refused("INVALID_INTENT")
	m.Refused("INVALID_INTENT")
	m.Refused("SOMETHING_NEW")

	want(t, m, "podc_stage_duration_seconds", map[string]string{"stage": "compile"}, 2)
	want(t, m, "podc_stage_duration_seconds", map[string]string{"stage": "decode"}, 1)
	want(t, m, "podc_stage_duration_seconds", map[string]string{"stage": "render"}, 0)
	absent(t, m, "podc_stage_duration_seconds", map[string]string{"stage": "no-such-stage"})
	want(t, m, "podc_refusals_total", map[string]string{"reason": "INVALID_INTENT"}, 2)
	want(t, m, "podc_refusals_total", map[string]string{"reason": "OVERLOADED"}, 0)
	want(t, m, "podc_refusals_total", map[string]string{"reason": metrics.ReasonOther}, 1)
	absent(t, m, "podc_refusals_total", map[string]string{"reason": "SOMETHING_NEW"})
}

func TestScrapeReadsTheSources(t *testing.T) {
	dir := bundletest.Write(t, map[string]string{"rules.cue": twoRules})
	b, err := policy.LoadDir(dir, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	policies := store.New(b, nil)
	m := metrics.New(metrics.Options{})
	m.Track(metrics.Sources{
		Engine:       fakeEngine{lru.Stats{Hits: 7, Misses: 3, Evictions: 1, Entries: 2, Bytes: 900}, 4},
		Policies:     policies,
		CompileSlots: 32,
	})
	m.Decided([]diag.Decision{
		{RuleID: "p.deny", Severity: diag.Deny, Outcome: diag.OutcomeDeny},
		{RuleID: "p.warn", Severity: diag.Warn, Outcome: diag.OutcomePass},
	})
	m.Decided([]diag.Decision{
		{RuleID: "p.deny", Severity: diag.Deny, Outcome: diag.OutcomeFault},
		{RuleID: "p.warn", Severity: diag.Warn, Outcome: diag.OutcomePass},
	})
	m.Decided([]diag.Decision{
		{RuleID: "p.deny", Severity: diag.Deny, Outcome: diag.OutcomePass},
		{RuleID: "p.warn", Severity: diag.Warn, Outcome: diag.OutcomeExcepted},
	})

	for name, v := range map[string]float64{
		"podc_cache_hits_total": 7, "podc_cache_misses_total": 3, "podc_cache_evictions_total": 1,
		"podc_cache_entries": 2, "podc_cache_bytes": 900,
	} {
		want(t, m, name, map[string]string{"cache": metrics.CacheResult}, v)
	}
	// The bundle's own cache: present, empty.
	want(t, m, "podc_cache_entries", map[string]string{"cache": metrics.CachePolicy}, 0)
	want(t, m, "podc_compiles_in_flight", nil, 4)
	want(t, m, "podc_compile_slots", nil, 32)

	want(t, m, "podc_policy_decisions_total", map[string]string{"rule": "p.deny", "outcome": "deny"}, 1)
	want(t, m, "podc_policy_decisions_total", map[string]string{"rule": "p.deny", "outcome": "fault"}, 1)
	want(t, m, "podc_policy_decisions_total", map[string]string{"rule": "p.deny", "outcome": "pass"}, 1)
	want(t, m, "podc_policy_decisions_total", map[string]string{"rule": "p.warn", "outcome": "pass"}, 2)
	// Only a rule the bundle lets intents except has an excepted series.
	want(t, m, "podc_policy_decisions_total", map[string]string{"rule": "p.warn", "outcome": "excepted"}, 1)
	absent(t, m, "podc_policy_decisions_total", map[string]string{"rule": "p.deny", "outcome": "excepted"})
	want(t, m, "podc_policy_decisions_total", map[string]string{"rule": "p.warn", "outcome": "warn"}, 0)
	absent(t, m, "podc_policy_decisions_total", map[string]string{"rule": "p.warn", "outcome": "deny"})
	want(t, m, "podc_policy_rule_faults_total", map[string]string{"rule": "p.deny"}, 0)

	want(t, m, "podc_policy_reloads_total", nil, 0)
	want(t, m, "podc_policy_reload_failures_total", nil, 0)
	want(t, m, "podc_policy_last_reload_failed", nil, 0)
	want(t, m, "podc_policy_bundle_info", map[string]string{"digest": b.Digest()}, 1)
	want(t, m, "podc_policy_cue_generations_total", nil, 1)
	if age, ok := value(t, m, "podc_policy_bundle_age_seconds", nil); !ok || age < 0 {
		t.Errorf("podc_policy_bundle_age_seconds = %v (%v)", age, ok)
	}

	// A broken reload is counted and flagged; a reload that renames a rule
	// drops the old rule's series and starts the new one from zero.
	write := func(src string) {
		if err := os.WriteFile(filepath.Join(dir, "rules.cue"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("package p\nprofiles: {")
	if policies.Reload(dir) == nil {
		t.Fatal("a broken bundle loaded")
	}
	want(t, m, "podc_policy_reload_failures_total", nil, 1)
	want(t, m, "podc_policy_last_reload_failed", nil, 1)
	write(strings.ReplaceAll(twoRules, "p.deny", "p.renamed"))
	if err := policies.Reload(dir); err != nil {
		t.Fatal(err)
	}
	want(t, m, "podc_policy_reloads_total", nil, 1)
	want(t, m, "podc_policy_last_reload_failed", nil, 0)
	want(t, m, "podc_policy_bundle_info", map[string]string{"digest": policies.Bundle().Digest()}, 1)
	absent(t, m, "podc_policy_bundle_info", map[string]string{"digest": b.Digest()})
	absent(t, m, "podc_policy_decisions_total", map[string]string{"rule": "p.deny"})
	want(t, m, "podc_policy_decisions_total", map[string]string{"rule": "p.renamed", "outcome": "deny"}, 0)
	want(t, m, "podc_policy_decisions_total", map[string]string{"rule": "p.warn", "outcome": "pass"}, 2)
}

func TestHandlerServesTextFormat(t *testing.T) {
	m := metrics.New(metrics.Options{})
	m.StageDone(compiler.StageRender, time.Millisecond)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, s := range []string{
		`podc_stage_duration_seconds_count{stage="render"} 1`,
		"# TYPE podc_stage_duration_seconds histogram",
		"go_goroutines ",
	} {
		if !strings.Contains(string(body), s) {
			t.Errorf("no %q in\n%s", s, body)
		}
	}
}

package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/internal/lru"
)

// Engine is what the metrics read of the compile engine at every scrape;
// *compiler.Engine implements it.
type Engine interface {
	ResultCacheStats() lru.Stats
	InFlight() int
}

// Policies is what the metrics read of the policy store at every scrape;
// *store.Store implements it.
type Policies interface {
	Bundle() *policy.Bundle
	Status() store.Status
}

// Sources are what Track reads at every scrape.
type Sources struct {
	Engine   Engine
	Policies Policies
	// CompileSlots is the bound on compiles running at once; zero or
	// less means no bound, and no podc_compile_slots series.
	CompileSlots int
}

// Cache names, the values of the cache label.
const (
	// CacheResult is the engine's cache of compile answers (--result-cache).
	CacheResult = "result"
	// CachePolicy is the policy bundle's cache of rule outcomes
	// (--policy-cache).
	CachePolicy = "policy"
)

// Track exports what src holds, read at every scrape: the caches' counters,
// the policy decisions by rule of the active bundle, its faults,
// generations, reloads and age, and the compiles in flight. Counters the
// caches and the bundle keep are read as they are, never counted twice;
// those of a bundle start from zero when a reload replaces it. Call Track
// once.
func (m *Metrics) Track(src Sources) {
	m.reg.MustRegister(&scraper{src: src, decisions: m.decisions, now: time.Now})
}

var (
	descCacheHits      = cacheDesc("podc_cache_hits_total", "Lookups a cache answered.")
	descCacheMisses    = cacheDesc("podc_cache_misses_total", "Lookups a cache could not answer.")
	descCacheEvictions = cacheDesc("podc_cache_evictions_total", "Entries a cache dropped to stay within its bounds.")
	descCacheEntries   = cacheDesc("podc_cache_entries", "Entries a cache holds.")
	descCacheBytes     = cacheDesc("podc_cache_bytes", "Bytes a cache holds, as it counts them against its bound.")

	descDecisions = prometheus.NewDesc("podc_policy_decisions_total",
		"Policy rule decisions, by rule of the active bundle and outcome (pass, warn, deny, fault; excepted for the rules the bundle lets intents except); a compile answered from the result cache decides nothing.",
		[]string{"rule", "outcome"}, nil)
	descRuleFaults = prometheus.NewDesc("podc_policy_rule_faults_total",
		"Evaluations of a rule of the active bundle that failed (the bundle's fault), since the bundle was loaded.",
		[]string{"rule"}, nil)
	descReloads = prometheus.NewDesc("podc_policy_reloads_total",
		"Policy reloads that made a new bundle active.", nil, nil)
	descReloadFailures = prometheus.NewDesc("podc_policy_reload_failures_total",
		"Policy loads that failed; the previous bundle kept serving.", nil, nil)
	descLastReloadFailed = prometheus.NewDesc("podc_policy_last_reload_failed",
		"1 while the newest policy files fail to load (an older bundle serves), else 0.", nil, nil)
	descBundleAge = prometheus.NewDesc("podc_policy_bundle_age_seconds",
		"Seconds since the active policy bundle was loaded.", nil, nil)
	descBundleInfo = prometheus.NewDesc("podc_policy_bundle_info",
		"Always 1; digest names the active policy bundle.", []string{"digest"}, nil)
	descGenerations = prometheus.NewDesc("podc_policy_cue_generations_total",
		"CUE contexts the active bundle's rules have been compiled into (the sequence number of the one serving); each replaces the last and frees its memory.", nil, nil)
	descGenerationEvals = prometheus.NewDesc("podc_policy_cue_generation_evaluations",
		"Rule evaluations the serving CUE context has served; it is replaced after --policy-evals-per-generation.", nil, nil)
	descInFlight = prometheus.NewDesc("podc_compiles_in_flight",
		"Compile and Validate calls and batch entries running in the engine.", nil, nil)
	descSlots = prometheus.NewDesc("podc_compile_slots",
		"The bound on compiles running at once (--max-concurrent-compiles).", nil, nil)
)

func cacheDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc(name, help+" cache is result (compile answers) or policy (rule outcomes).", []string{"cache"}, nil)
}

// scraper reads Sources at every scrape.
type scraper struct {
	src       Sources
	decisions *decisions
	now       func() time.Time
}

func (s *scraper) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		descCacheHits, descCacheMisses, descCacheEvictions, descCacheEntries, descCacheBytes,
		descDecisions, descRuleFaults, descReloads, descReloadFailures, descLastReloadFailed,
		descBundleAge, descBundleInfo, descGenerations, descGenerationEvals, descInFlight, descSlots,
	} {
		ch <- d
	}
}

func (s *scraper) Collect(ch chan<- prometheus.Metric) {
	b := s.src.Policies.Bundle()
	cache(ch, CacheResult, s.src.Engine.ResultCacheStats())
	cache(ch, CachePolicy, b.CacheStats())

	rules := b.Rules()
	active := make(map[string]bool, len(rules))
	faults := b.Faults()
	for _, r := range rules {
		active[r.ID] = true
		for _, o := range []diag.Outcome{diag.OutcomePass, diag.OutcomeWarn, diag.OutcomeDeny, diag.OutcomeFault, diag.OutcomeExcepted} {
			if o == diag.OutcomeWarn && r.Severity != diag.Warn || o == diag.OutcomeDeny && r.Severity != diag.Deny {
				continue // a rule warns or denies, never both
			}
			if o == diag.OutcomeExcepted && r.Exception == nil {
				continue // only a rule the bundle lets intents except
			}
			counter(ch, descDecisions, s.decisions.get(r.ID, o), r.ID, outcomeName(o))
		}
		counter(ch, descRuleFaults, faults[r.ID], r.ID)
	}
	s.decisions.keep(func(rule string) bool { return active[rule] })

	st := s.src.Policies.Status()
	counter(ch, descReloads, st.Reloads)
	counter(ch, descReloadFailures, st.Failures)
	failing := 0.0
	if st.LastError != "" {
		failing = 1
	}
	gauge(ch, descLastReloadFailed, failing)
	if !st.LoadedAt.IsZero() {
		gauge(ch, descBundleAge, s.now().Sub(st.LoadedAt).Seconds())
	}
	gauge(ch, descBundleInfo, 1, b.Digest())
	seq, evals := b.Generation()
	counter(ch, descGenerations, uint64(seq))
	gauge(ch, descGenerationEvals, float64(evals))

	gauge(ch, descInFlight, float64(s.src.Engine.InFlight()))
	if s.src.CompileSlots > 0 {
		gauge(ch, descSlots, float64(s.src.CompileSlots))
	}
}

func cache(ch chan<- prometheus.Metric, name string, st lru.Stats) {
	counter(ch, descCacheHits, st.Hits, name)
	counter(ch, descCacheMisses, st.Misses, name)
	counter(ch, descCacheEvictions, st.Evictions, name)
	gauge(ch, descCacheEntries, float64(st.Entries), name)
	gauge(ch, descCacheBytes, float64(st.Bytes), name)
}

func counter(ch chan<- prometheus.Metric, d *prometheus.Desc, v uint64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

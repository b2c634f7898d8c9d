package main

import (
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podc-dev/podc/internal/memlimit"
)

// The garbage collector settings podc serve chooses when neither a flag
// nor the Go runtime's own variables (GOGC, GOMEMLIMIT) set them; chosen
// from load runs (BENCHMARKS.md, "Run-time settings"):
const (
	// gogcUnbounded is GOGC with no memory limit at all (--memory-limit
	// none, GOMEMLIMIT=off): the heap may grow to (1 + GOGC/100) times
	// what is live before a collection, so it stays the Go runtime's
	// default.
	gogcUnbounded = 100
	// gogcOwnLimit is GOGC under podc's own soft limit (ownLimit), when
	// the container has none: collections an eighth as often as 100
	// while what is live is small, and as often as the limit needs when
	// it is not. What is live stays small under one-off requests since
	// the result cache remembers only repeated ones (AdmitRepeats): new
	// workloads at full load then keep the heap near 150 MB, under the
	// limit, and cost about a tenth less CPU each than at 200, with the
	// p99 of their calls under 10 ms (BENCHMARKS.md, "Sixth round").
	gogcOwnLimit = 800
	// gogcBounded is GOGC under a memory limit of the container or of
	// the operator: the limit, not GOGC, then bounds the heap, so
	// collections can be rarer.
	gogcBounded = 400
	// containerShare is the share of the container's memory limit the
	// Go runtime's soft limit is set to; the rest is for what the Go
	// runtime does not count (the binary's mapped pages, page cache the
	// cgroup charges) and for the collector's lag under a burst.
	containerShare = 0.75
	// ownLimitPerCacheByte and ownLimitFloor make podc's own soft limit
	// when the container has none: three times what the caches may hold
	// (--result-cache-bytes and --policy-cache-bytes: the caches full, as
	// much again for the rest of what is live, as much again for garbage
	// between collections), and never below the floor, the limit of the
	// default caches.
	ownLimitPerCacheByte = 3
	ownLimitFloor        = 192 << 20
)

// ownLimit is podc's own soft memory limit for caches that may hold
// cacheBytes: see ownLimitPerCacheByte.
func ownLimit(cacheBytes int64) int64 {
	if cacheBytes > (math.MaxInt64-ownLimitFloor)/ownLimitPerCacheByte {
		return math.MaxInt64
	}
	return max(ownLimitFloor, ownLimitPerCacheByte*cacheBytes)
}

// runtimeFlags are podc serve's flags for the garbage collector.
type runtimeFlags struct {
	gogc, memoryLimit string
}

func (f *runtimeFlags) register(fs interface {
	StringVar(p *string, name, value, usage string)
}) {
	fs.StringVar(&f.gogc, "gogc", "auto", fmt.Sprintf("the garbage collector's target percentage (the Go runtime's GOGC): a number, off, or auto: the GOGC variable when set, else %d under the container's or an operator's memory limit, %d under podc's own and %d with none", gogcBounded, gogcOwnLimit, gogcUnbounded))
	fs.StringVar(&f.memoryLimit, "memory-limit", "auto", fmt.Sprintf("the Go runtime's soft memory limit (its GOMEMLIMIT): bytes or a quantity like 768Mi, none, or auto: the GOMEMLIMIT variable when set, else %.0f%% of the container's cgroup memory limit when it has one, else podc's own: %d times the caches' bounds (--result-cache-bytes plus --policy-cache-bytes), at least %dMi", containerShare*100, ownLimitPerCacheByte, ownLimitFloor>>20))
}

// gcSettings are the garbage collector settings podc serve runs with,
// and where each came from.
type gcSettings struct {
	// GOGC is the collector's target percentage; -1 is off.
	GOGC int
	// GOGCFrom says where GOGC came from: "--gogc", "GOGC",
	// "auto, under a memory limit", "auto, under podc's own memory limit"
	// or "auto, no memory limit".
	GOGCFrom string
	// MemoryLimit is the soft memory limit in bytes; math.MaxInt64 is
	// none.
	MemoryLimit int64
	// MemoryLimitFrom says where MemoryLimit came from: "--memory-limit",
	// "GOMEMLIMIT", "auto, from the cgroup" or "auto, podc's own (no
	// cgroup limit)".
	MemoryLimitFrom string
	// Cgroup is the container's memory limit as read.
	Cgroup memlimit.Limit
}

// chooseGC works out the settings from the flags, the environment
// (getenv), the cgroup's memory limit and the bytes the caches may hold.
// An explicit flag wins over the variable, which wins over auto. Flag
// values that do not parse are usage errors.
func chooseGC(f runtimeFlags, getenv func(string) string, cg memlimit.Limit, cacheBytes int64) (gcSettings, error) {
	s := gcSettings{Cgroup: cg, MemoryLimit: math.MaxInt64}
	switch v := strings.TrimSpace(f.memoryLimit); {
	case v == "auto" && getenv("GOMEMLIMIT") != "":
		n, err := parseGoMemLimit(getenv("GOMEMLIMIT"))
		if err != nil {
			return s, fmt.Errorf("GOMEMLIMIT: %w", err)
		}
		s.MemoryLimit, s.MemoryLimitFrom = n, "GOMEMLIMIT"
	case v == "auto" && cg.Bytes > 0:
		s.MemoryLimit, s.MemoryLimitFrom = int64(float64(cg.Bytes)*containerShare), "auto, from the cgroup"
	case v == "auto":
		s.MemoryLimit, s.MemoryLimitFrom = ownLimit(cacheBytes), ownLimitFrom
	case v == "none":
		s.MemoryLimitFrom = "--memory-limit"
	default:
		q, err := resource.ParseQuantity(v)
		n, ok := q.AsInt64()
		if err != nil || !ok || n <= 0 {
			return s, fmt.Errorf("--memory-limit %q: want bytes or a quantity like 768Mi, none or auto", f.memoryLimit)
		}
		s.MemoryLimit, s.MemoryLimitFrom = n, "--memory-limit"
	}
	switch v := strings.TrimSpace(f.gogc); {
	case v == "auto" && getenv("GOGC") != "":
		n, err := parseGOGC(getenv("GOGC"))
		if err != nil {
			return s, fmt.Errorf("GOGC: %w", err)
		}
		s.GOGC, s.GOGCFrom = n, "GOGC"
	case v == "auto" && s.MemoryLimitFrom == ownLimitFrom:
		s.GOGC, s.GOGCFrom = gogcOwnLimit, "auto, under podc's own memory limit"
	case v == "auto" && s.MemoryLimit != math.MaxInt64:
		s.GOGC, s.GOGCFrom = gogcBounded, "auto, under a memory limit"
	case v == "auto":
		s.GOGC, s.GOGCFrom = gogcUnbounded, "auto, no memory limit"
	default:
		n, err := parseGOGC(v)
		if err != nil {
			return s, fmt.Errorf("--gogc %q: %w", f.gogc, err)
		}
		s.GOGC, s.GOGCFrom = n, "--gogc"
	}
	if s.GOGC < 0 && s.MemoryLimit == math.MaxInt64 {
		return s, fmt.Errorf("GOGC off (from %s) without a memory limit: the heap would grow without bound; set --memory-limit", s.GOGCFrom)
	}
	return s, nil
}

// ownLimitFrom is MemoryLimitFrom for podc's own limit.
const ownLimitFrom = "auto, podc's own (no cgroup limit)"

// parseGOGC reads a GOGC value: a percentage from 0, or off (-1).
func parseGOGC(v string) (int, error) {
	if v == "off" {
		return -1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("want a percentage (0 or more) or off")
	}
	return n, nil
}

// parseGoMemLimit reads a GOMEMLIMIT value as the Go runtime does: a
// number of bytes with an optional unit suffix B, KiB, MiB, GiB or TiB, or
// off.
func parseGoMemLimit(v string) (int64, error) {
	if v == "off" {
		return math.MaxInt64, nil
	}
	units := []struct {
		suffix string
		shift  uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}}
	shift := uint(0)
	for _, u := range units {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			v, shift = num, u.shift
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64>>shift {
		return 0, fmt.Errorf("want bytes with an optional suffix B, KiB, MiB, GiB or TiB, or off")
	}
	return n << shift, nil
}

// apply sets the Go runtime's collector as s says.
func (s gcSettings) apply() {
	debug.SetMemoryLimit(s.MemoryLimit)
	debug.SetGCPercent(s.GOGC)
}

// log writes the settings at start, with what they came from.
func (s gcSettings) log(log *slog.Logger) {
	attrs := []any{"gomaxprocs", runtime.GOMAXPROCS(0), "gogc", gogcString(s.GOGC), "gogc_from", s.GOGCFrom,
		"memory_limit", limitString(s.MemoryLimit), "memory_limit_from", s.MemoryLimitFrom}
	switch {
	case s.Cgroup.Bytes > 0:
		attrs = append(attrs, "cgroup_memory_limit", limitString(s.Cgroup.Bytes), "cgroup_file", s.Cgroup.File)
	case s.Cgroup.Version > 0:
		attrs = append(attrs, "cgroup_memory_limit", "none", "cgroup_version", s.Cgroup.Version)
	}
	log.Info("garbage collector", attrs...)
}

func gogcString(n int) string {
	if n < 0 {
		return "off"
	}
	return strconv.Itoa(n)
}

func limitString(n int64) string {
	if n == math.MaxInt64 {
		return "none"
	}
	return resource.NewQuantity(n, resource.BinarySI).String()
}

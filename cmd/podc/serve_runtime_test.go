package main

import (
	"math"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/podc-dev/podc/internal/memlimit"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestChooseGC(t *testing.T) {
	const none = math.MaxInt64
	auto := runtimeFlags{gogc: "auto", memoryLimit: "auto"}
	container := memlimit.Limit{Bytes: 1 << 30, File: "/sys/fs/cgroup/memory.max", Version: 2}
	for _, tc := range []struct {
		name         string
		flags        runtimeFlags
		getenv       func(string) string
		cgroup       memlimit.Limit
		gogc         int
		gogcFrom     string
		limit        int64
		limitFrom    string
		wantErrorHas string
	}{
		{"no container limit: podc's own", auto, env(), memlimit.Limit{Version: 2}, gogcOwnLimit, "auto, under podc's own memory limit", ownLimitFloor, ownLimitFrom, ""},
		{"not in a cgroup: podc's own", auto, env(), memlimit.Limit{}, gogcOwnLimit, "auto, under podc's own memory limit", ownLimitFloor, ownLimitFrom, ""},
		{"a container limit", auto, env(), container, gogcBounded, "auto, under a memory limit", 768 << 20, "auto, from the cgroup", ""},
		{"GOMEMLIMIT wins over the cgroup", auto, env("GOMEMLIMIT", "512MiB"), container, gogcBounded, "auto, under a memory limit", 512 << 20, "GOMEMLIMIT", ""},
		{"GOMEMLIMIT wins over podc's own", auto, env("GOMEMLIMIT", "512MiB"), memlimit.Limit{}, gogcBounded, "auto, under a memory limit", 512 << 20, "GOMEMLIMIT", ""},
		{"GOMEMLIMIT off", auto, env("GOMEMLIMIT", "off"), container, gogcUnbounded, "auto, no memory limit", none, "GOMEMLIMIT", ""},
		{"GOGC wins over auto", auto, env("GOGC", "150"), container, 150, "GOGC", 768 << 20, "auto, from the cgroup", ""},
		{"GOGC with podc's own limit", auto, env("GOGC", "150"), memlimit.Limit{}, 150, "GOGC", ownLimitFloor, ownLimitFrom, ""},
		{"GOGC off under a limit", auto, env("GOGC", "off", "GOMEMLIMIT", "300000000B"), memlimit.Limit{}, -1, "GOGC", 300000000, "GOMEMLIMIT", ""},
		{"GOGC off under podc's own limit", auto, env("GOGC", "off"), memlimit.Limit{}, -1, "GOGC", ownLimitFloor, ownLimitFrom, ""},
		{"flags win over the variables", runtimeFlags{gogc: "250", memoryLimit: "256Mi"}, env("GOGC", "off", "GOMEMLIMIT", "1GiB"), container, 250, "--gogc", 256 << 20, "--memory-limit", ""},
		{"--memory-limit none", runtimeFlags{gogc: "auto", memoryLimit: "none"}, env("GOMEMLIMIT", "1GiB"), container, gogcUnbounded, "auto, no memory limit", none, "--memory-limit", ""},
		{"--gogc off with a limit", runtimeFlags{gogc: "off", memoryLimit: "2G"}, env(), memlimit.Limit{}, -1, "--gogc", 2000000000, "--memory-limit", ""},
		{"--gogc off without a limit", runtimeFlags{gogc: "off", memoryLimit: "none"}, env(), memlimit.Limit{}, 0, "", 0, "", "without a memory limit"},
		{"GOGC off without a limit", auto, env("GOGC", "off", "GOMEMLIMIT", "off"), memlimit.Limit{}, 0, "", 0, "", "GOGC off (from GOGC) without a memory limit"},
		{"a bad --gogc", runtimeFlags{gogc: "lots", memoryLimit: "auto"}, env(), memlimit.Limit{}, 0, "", 0, "", `--gogc "lots"`},
		{"a negative --gogc", runtimeFlags{gogc: "-5", memoryLimit: "auto"}, env(), memlimit.Limit{}, 0, "", 0, "", `--gogc "-5"`},
		{"a bad --memory-limit", runtimeFlags{gogc: "auto", memoryLimit: "-1Gi"}, env(), memlimit.Limit{}, 0, "", 0, "", `--memory-limit "-1Gi"`},
		{"a bad GOMEMLIMIT", auto, env("GOMEMLIMIT", "1GB"), memlimit.Limit{}, 0, "", 0, "", "GOMEMLIMIT: want bytes"},
		{"a bad GOGC", auto, env("GOGC", "x"), memlimit.Limit{}, 0, "", 0, "", "GOGC: want a percentage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := chooseGC(tc.flags, tc.getenv, tc.cgroup, 64<<20)
			if tc.wantErrorHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErrorHas) {
					t.Fatalf("got %+v, %v; want an error with %q", s, err, tc.wantErrorHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.GOGC != tc.gogc || s.GOGCFrom != tc.gogcFrom || s.MemoryLimit != tc.limit || s.MemoryLimitFrom != tc.limitFrom || s.Cgroup != tc.cgroup {
				t.Errorf("got %+v; want GOGC %d from %q, limit %d from %q", s, tc.gogc, tc.gogcFrom, tc.limit, tc.limitFrom)
			}
		})
	}
}

// podc's own limit is three times what the caches may hold, never below
// the floor (the default caches' 64 MiB give the floor), and saturates.
func TestOwnLimit(t *testing.T) {
	for caches, want := range map[int64]int64{0: ownLimitFloor, 64 << 20: 192 << 20, 1 << 30: 3 << 30, math.MaxInt64: math.MaxInt64, math.MaxInt64 / 3: math.MaxInt64} {
		if got := ownLimit(caches); got != want {
			t.Errorf("caches of %d bytes: limit %d, want %d", caches, got, want)
		}
	}
	s, err := chooseGC(runtimeFlags{gogc: "auto", memoryLimit: "auto"}, env(), memlimit.Limit{}, 2<<30)
	if err != nil || s.MemoryLimit != 6<<30 {
		t.Errorf("caches of 2Gi: %+v, %v; want a 6Gi limit", s, err)
	}
}

func TestParseGoMemLimit(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1024": 1024, "5B": 5, "3KiB": 3 << 10, "768MiB": 768 << 20, "2GiB": 2 << 30, "1TiB": 1 << 40, "off": math.MaxInt64} {
		if got, err := parseGoMemLimit(in); err != nil || got != want {
			t.Errorf("%q: got %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "1GB", "1.5GiB", "-1", "MiB", "99999999999TiB"} {
		if got, err := parseGoMemLimit(bad); err == nil {
			t.Errorf("%q: got %d, want an error", bad, got)
		}
	}
}

// apply sets the runtime's collector; the previous settings come back
// after the test.
func TestApplyGC(t *testing.T) {
	prevGC := debug.SetGCPercent(100)
	prevLimit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetGCPercent(prevGC); debug.SetMemoryLimit(prevLimit) })
	gcSettings{GOGC: 321, MemoryLimit: 3 << 30}.apply()
	if got := debug.SetGCPercent(100); got != 321 {
		t.Errorf("GOGC %d, want 321", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 3<<30 {
		t.Errorf("memory limit %d, want %d", got, 3<<30)
	}
}

// podc serve logs the collector settings it runs with, flags first; a
// flag that does not parse is a usage error before anything is served.
func TestServeSetsTheCollector(t *testing.T) {
	prevGC := debug.SetGCPercent(100)
	prevLimit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetGCPercent(prevGC); debug.SetMemoryLimit(prevLimit) })

	srv := serveForTest(t, "--gogc", "150", "--memory-limit", "3Gi", "--drain-delay", "0")
	line := regexp.MustCompile(`msg="garbage collector" gomaxprocs=\d+ gogc=150 gogc_from=--gogc memory_limit=3Gi memory_limit_from=--memory-limit`)
	if !line.MatchString(srv.log.String()) {
		t.Errorf("no collector line with the flags' settings:\n%s", srv.log.String())
	}
	if got := debug.SetMemoryLimit(-1); got != 3<<30 {
		t.Errorf("memory limit %d, want 3Gi", got)
	}
	srv.drain()
	srv.wait(t, 0)

	for _, args := range [][]string{{"--gogc", "lots"}, {"--memory-limit", "big"}, {"--gogc", "off", "--memory-limit", "none"}} {
		var out syncBuffer
		code := serveCmd(stops{drain: make(chan struct{}), now: make(chan struct{})}, append([]string{"--addr", "127.0.0.1:0"}, args...), &out)
		if code != exitUsage || !strings.Contains(out.String(), "podc serve: ") || strings.Contains(out.String(), "podc serving") {
			t.Errorf("%v: exit %d:\n%s", args, code, out.String())
		}
	}
}

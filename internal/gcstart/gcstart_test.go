package gcstart

import (
	"math"
	"os"
	"runtime/debug"
	"testing"
)

// resumed is set once TestOffUntilResume has resumed the collector: init
// runs once per process, so a repeated run (-count) finds it on.
var resumed bool

// The collector is off from init, bounded by HeapLimit, until Resume puts
// back the runtime's defaults; a second Resume changes nothing.
func TestOffUntilResume(t *testing.T) {
	if resumed {
		if Off() {
			t.Error("the collector is off again after Resume")
		}
		return
	}
	t.Cleanup(func() { resumed = true })
	if os.Getenv("GOGC") != "" {
		if Off() {
			t.Error("init turned the collector off, though GOGC is set")
		}
		return
	}
	want := int64(HeapLimit)
	if os.Getenv("GOMEMLIMIT") != "" {
		want = debug.SetMemoryLimit(-1) // the environment's, untouched
	}
	if !Off() {
		t.Fatal("the collector is on after init")
	}
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("GC percent %d after init, want -1 (off)", p)
	}
	if l := debug.SetMemoryLimit(-1); l != want {
		t.Errorf("memory limit %d after init, want %d", l, want)
	}
	Resume()
	if Off() {
		t.Error("Off after Resume")
	}
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("GC percent %d after Resume, want 100", p)
	}
	if l := debug.SetMemoryLimit(-1); os.Getenv("GOMEMLIMIT") == "" && l != math.MaxInt64 {
		t.Errorf("memory limit %d after Resume, want none", l)
	}
	debug.SetGCPercent(50)
	Resume()
	if p := debug.SetGCPercent(100); p != 50 {
		t.Errorf("a second Resume changed the GC percent to %d", p)
	}
}

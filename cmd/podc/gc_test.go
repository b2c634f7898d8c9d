package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/podc-dev/podc/internal/gcstart"
)

// gcProbe names the environment variable that makes the test binary run
// one podc command as a process of its own, as main does, and print
// whether the collector is still off after it.
const gcProbe = "PODC_TEST_GC_PROBE"

// TestMain runs the tests, many commands in one process, with the
// collector as the runtime has it, not off as in a one-shot podc (see
// gcstart).
func TestMain(m *testing.M) {
	if args := os.Getenv(gcProbe); args != "" {
		code := Main(strings.Fields(args), strings.NewReader(""), io.Discard, io.Discard)
		fmt.Printf("exit %d, collector off %v\n", code, gcstart.Off())
		os.Exit(0)
	}
	gcstart.Resume()
	os.Exit(m.Run())
}

// A one-shot command keeps the collector off to its end; a fleet, which
// runs long, turns it back on.
func TestCollectorOffInOneShotCommands(t *testing.T) {
	oneShot := os.Getenv("GOGC") == "" // GOGC set: the runtime's, always
	for _, tt := range []struct {
		args string
		off  bool
	}{
		{"compile -f ../../examples/checkout.json", oneShot},
		{"version", oneShot},
		{"compile -f ../../examples/checkout.json -f ../../examples/hello.json", false},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), gcProbe+"="+tt.args)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", tt.args, err)
		}
		if want := fmt.Sprintf("exit 0, collector off %v\n", tt.off); string(out) != want {
			t.Errorf("podc %s: %q, want %q", tt.args, out, want)
		}
	}
}

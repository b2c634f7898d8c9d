package podc_test

import (
	"os/exec"
	"strings"
	"testing"
)

// A consumer that imports the SDK builds no package of the server's
// dependencies and has none of them in its module graph.
func TestConsumerDoesNotPullTheServer(t *testing.T) {
	for _, args := range [][]string{
		{"list", "-deps", "./..."},
		{"list", "-m", "all"},
	} {
		cmd := exec.Command("go", args...)
		cmd.Dir = "../example/consumer"
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		if !strings.Contains(string(out), "github.com/podc-dev/podc/clients/go") {
			t.Fatalf("go %s does not list the SDK:\n%s", strings.Join(args, " "), out)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if pulled(line) {
				t.Errorf("go %s: %s", strings.Join(args, " "), line)
			}
		}
	}
}

// pulled reports whether a line of go list names a package or module of
// the server: Kubernetes, CUE or the server's own module.
func pulled(line string) bool {
	for _, p := range []string{"k8s.io/", "sigs.k8s.io/", "cuelang.org/", "github.com/podc-dev/podc ", "github.com/podc-dev/podc/server", "github.com/podc-dev/podc/compiler", "github.com/podc-dev/podc/gen/"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

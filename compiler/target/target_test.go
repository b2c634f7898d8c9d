package target

import (
	"os"
	"regexp"
	"strconv"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in    string
		minor int
		ok    bool
	}{
		{"", Newest, true},
		{"1.31", 31, true},
		{"v1.29", 29, true},
		{"1.30.4", 30, true},
		{"1.25", 25, true},
		{"1.24", 0, false},
		{"1.99", 0, false},
		{"2.1", 0, false},
		{"1", 0, false},
		{"1.x", 0, false},
		{"1.30.x", 0, false},
		{"1.-3", 0, false},
	} {
		v, err := Parse(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("Parse(%q) error = %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && v.Minor != tc.minor {
			t.Errorf("Parse(%q) = %v, want 1.%d", tc.in, v, tc.minor)
		}
	}
}

func TestFeatures(t *testing.T) {
	if (Version{28}).Has(NativeSidecars) || !(Version{29}).Has(NativeSidecars) {
		t.Error("native sidecars must start at 1.29")
	}
	if (Version{26}).Has(GRPCProbes) || !(Version{27}).Has(GRPCProbes) {
		t.Error("gRPC probes must start at 1.27")
	}
}

// TestNewestMatchesAPIModule keeps Newest in step with the k8s.io/api module
// podc is built with.
func TestNewestMatchesAPIModule(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`k8s\.io/api v0\.(\d+)\.`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod does not require k8s.io/api")
	}
	minor, _ := strconv.Atoi(string(m[1]))
	if minor != Newest {
		t.Errorf("k8s.io/api is v0.%d but Newest is %d", minor, Newest)
	}
}

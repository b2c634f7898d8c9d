package intent

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
)

func TestParseQuantity(t *testing.T) {
	for _, tc := range []struct {
		in, kind string
		milli    int64 // the value in thousandths
	}{
		{"0.5", "cpu", 500},
		{"500m", "cpu", 500},
		{"1", "cpu", 1000},
		{"0", "cpu", 0},
		{"1Gi", "memory", 1 << 30 * 1000},
		{"1G", "memory", 1e9 * 1000},
		{"512Mi", "memory", 512 << 20 * 1000},
		{"1e3", "memory", 1e3 * 1000},
		{"1Ki", "memory", 1024 * 1000},
	} {
		q, err := ParseQuantity(tc.in, tc.kind)
		if err != nil {
			t.Errorf("ParseQuantity(%q): %v", tc.in, err)
			continue
		}
		if got := q.MilliValue(); got != tc.milli {
			t.Errorf("ParseQuantity(%q) = %d milli, want %d", tc.in, got, tc.milli)
		}
	}
}

func TestParseQuantityNotations(t *testing.T) {
	eq := func(a, b string) bool {
		qa, err1 := ParseQuantity(a, "cpu")
		qb, err2 := ParseQuantity(b, "cpu")
		if err1 != nil || err2 != nil {
			t.Fatalf("parse %q, %q: %v %v", a, b, err1, err2)
		}
		return qa.Cmp(qb) == 0
	}
	if !eq("0.5", "500m") {
		t.Error("0.5 and 500m must be equal")
	}
	if eq("1Gi", "1G") {
		t.Error("1Gi (2^30) and 1G (10^9) must differ")
	}
	if !eq("1e3", "1k") {
		t.Error("1e3 and 1k must be equal")
	}
}

func TestParseQuantityRefuses(t *testing.T) {
	for _, tc := range []struct{ in, kind, msg string }{
		{"-1", "cpu", "negative"},
		{"-500m", "cpu", "negative"},
		{"abc", "cpu", `"500m"`},
		{"abc", "memory", `"512Mi"`},
		{"1 Gi", "memory", "not a quantity"},
		{"1GB", "memory", "not a quantity"},
		{"", "memory", "not a quantity"},
		{"0x10", "cpu", "not a quantity"},
	} {
		_, err := ParseQuantity(tc.in, tc.kind)
		if err == nil {
			t.Errorf("ParseQuantity(%q) succeeded", tc.in)
			continue
		}
		if !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseQuantity(%q) = %q, want it to mention %s", tc.in, err, tc.msg)
		}
	}
}

// TestParseQuantityIsKubernetes keeps ParseQuantity the apimachinery parser:
// same value, same canonical form.
func TestParseQuantityIsKubernetes(t *testing.T) {
	for _, s := range []string{"0.5", "500m", "1Gi", "1G", "1e3", "128974848", "129e6", "123Mi"} {
		q, err := ParseQuantity(s, "memory")
		if err != nil {
			t.Fatal(err)
		}
		want := resource.MustParse(s)
		if q.String() != want.String() {
			t.Errorf("ParseQuantity(%q) = %s, want %s", s, q.String(), want.String())
		}
	}
}

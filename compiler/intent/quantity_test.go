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
		q, err := ParseQuantity(s, "cpu")
		if err != nil {
			t.Fatal(err)
		}
		want := resource.MustParse(s)
		if q.String() != want.String() {
			t.Errorf("ParseQuantity(%q) = %s, want %s", s, q.String(), want.String())
		}
	}
}

// TestParseQuantityBounds: what Kubernetes cannot hold exactly as written is
// refused, for cpu and for bytes, with a message that says why.
func TestParseQuantityBounds(t *testing.T) {
	long12500 := "1" + strings.Repeat("0", 12499)
	long100k := "1" + strings.Repeat("0", 99999)
	for _, tc := range []struct {
		in, kind, msg string
	}{
		{"1e19", "cpu", "too large"},
		{"1e19", "memory", "too large"},
		{"9223372036854775807", "cpu", "too large"},
		{"9223372036854775808m", "cpu", "too large"},
		{"9223372036854775808", "memory", "too large"},
		{"8Ei", "memory", "too large"},
		{"1e400", "cpu", "too large"},
		{"1e400", "memory", "too large"},
		{"999999999999Gi", "cpu", "too large"},
		{"999999999999Gi", "memory", "too large"},
		{"1e999999999", "cpu", "too large"},
		{"1e4294967296", "memory", "too large"}, // Kubernetes truncates this exponent to 0
		{"1e-999999999", "cpu", "finer than a millicore"},
		{"1e-999999999", "memory", "whole number of bytes"},
		{"0.0001", "cpu", "finer than a millicore"},
		{"1n", "cpu", "finer than a millicore"},
		{"1500u", "cpu", "finer than a millicore"},
		{"0.5", "memory", "whole number of bytes"},
		{"500m", "memory", "whole number of bytes"},
		{"0.1Mi", "memory", "whole number of bytes"},
		{long12500, "cpu", "12500 bytes, at most 64"},
		{long12500, "memory", "12500 bytes, at most 64"},
		{long100k, "cpu", "100000 bytes, at most 64"},
		{long100k, "memory", "100000 bytes, at most 64"},
		{"-1e400", "cpu", "negative"},
		{".", "cpu", "not a quantity"},
		{"+", "memory", "not a quantity"},
		{"1e", "memory", "not a quantity"},
		{"1e+-3", "memory", "not a quantity"},
		{"0e99999999999", "memory", "not a quantity"},
		{"0e-999999999", "cpu", "exponent out of range"},
		{"0e101", "memory", "exponent out of range"},
		{"1Ki3", "memory", "not a quantity"},
	} {
		_, err := ParseQuantity(tc.in, tc.kind)
		name := tc.in
		if len(name) > 20 {
			name = name[:20] + "..."
		}
		if err == nil {
			t.Errorf("ParseQuantity(%s, %s) succeeded", name, tc.kind)
			continue
		}
		if !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseQuantity(%s, %s) = %q, want it to mention %q", name, tc.kind, err, tc.msg)
		}
		if len(err.Error()) > 300 {
			t.Errorf("ParseQuantity(%s, %s): a %d-byte message echoes the input", name, tc.kind, len(err.Error()))
		}
	}
}

// TestParseQuantityExact: accepted quantities keep their exact value, at
// the edges of the range too, and their canonical form reads back equal.
func TestParseQuantityExact(t *testing.T) {
	for _, tc := range []struct {
		in, kind, canonical, amount string
	}{
		{"9223372036854775807", "memory", "9223372036854775807", "9223372036854775807"},
		{"9223372036854775807m", "cpu", "9223372036854775807m", "9223372036854775807"},
		{"7Ei", "memory", "7Ei", "8070450532247928832"},
		{"0.001", "cpu", "1m", "1"},
		{"1000u", "cpu", "1m", "1"},
		{"1.5", "cpu", "1500m", "1500"},
		{"1e3", "memory", "1e3", "1000"},
		{"1.5Ki", "memory", "1536", "1536"},
		{"0.5Gi", "memory", "512Mi", "536870912"},
		{"123Mi", "memory", "123Mi", "128974848"},
		{"129e6", "memory", "129e6", "129000000"},
		{"1e-3", "cpu", "1e-3", "1"},
		{"0", "cpu", "0", "0"},
		{"-0", "memory", "0", "0"},
		{"0e-100", "cpu", "0", "0"},
		{"0.0e100", "memory", "0", "0"},
		// Kubernetes keeps a spelling it reads as canonical.
		{"000000000000000000000000000000000000000000000000000000000001Gi", "memory", "000000000000000000000000000000000000000000000000000000000001Gi", "1073741824"},
	} {
		q, err := ParseQuantity(tc.in, tc.kind)
		if err != nil {
			t.Errorf("ParseQuantity(%q, %s): %v", tc.in, tc.kind, err)
			continue
		}
		if got := q.String(); got != tc.canonical {
			t.Errorf("ParseQuantity(%q).String() = %q, want %q", tc.in, got, tc.canonical)
		}
		if got := Amount(q, tc.kind == "cpu"); got != tc.amount {
			t.Errorf("Amount(%q) = %q, want %q", tc.in, got, tc.amount)
		}
		back, err := resource.ParseQuantity(q.String())
		if err != nil || back.Cmp(q) != 0 {
			t.Errorf("%q: canonical %q reads back as %v (%v)", tc.in, q.String(), back.String(), err)
		}
	}
}

// TestExactValueCatchesRewrites: the check that the canonical form reads
// back equal sees the values Kubernetes rounds or clamps when parsing.
func TestExactValueCatchesRewrites(t *testing.T) {
	for _, s := range []string{"1e-10", "1.0000000001", "9223372036854775808Ki"} {
		q, err := resource.ParseQuantity(s)
		if err != nil {
			t.Fatal(err)
		}
		written, ok1 := exactValue(s)
		stored, ok2 := exactValue(q.String())
		if !ok1 || !ok2 {
			t.Fatalf("%q: exactValue failed (%v, %v)", s, ok1, ok2)
		}
		if written.Cmp(stored) == 0 {
			t.Errorf("%q is stored as %q: want a different value", s, q.String())
		}
	}
}

package intent

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
)

func TestAmount(t *testing.T) {
	for _, tc := range []struct {
		in    string
		milli bool
		want  string
	}{
		{"1.5", true, "1500"},
		{"500m", true, "500"},
		{"100u", true, "0.1"},
		{"1n", true, "0.000001"},
		{"0.5", false, "0.5"},
		{"1Gi", false, "1073741824"},
		{"1G", false, "1000000000"},
		{"-2.5", true, "-2500"},
		{"-1m", false, "-0.001"},
		{"0", true, "0"},
		{"9223372036854775807", true, "9223372036854775807000"},
		{"1e400", false, "1" + strings.Repeat("0", 400)},
		{"999999999999Ki", false, "1023999999998976"},
	} {
		q := resource.MustParse(tc.in)
		if got := Amount(q, tc.milli); got != tc.want {
			t.Errorf("Amount(%q, %t) = %s, want %s", tc.in, tc.milli, got, tc.want)
		}
	}
}

// TestAmountLeavesQuantityAlone: Amount does not change the quantity it
// reads, whichever representation the quantity holds.
func TestAmountLeavesQuantityAlone(t *testing.T) {
	for _, s := range []string{"1.5", "0.1Mi", "123Mi", "1e400"} {
		q := resource.MustParse(s)
		before := q.String()
		_ = q.AsDec()
		Amount(q, true)
		Amount(q, false)
		if q.String() != before || q.Cmp(resource.MustParse(s)) != 0 {
			t.Errorf("%q changed to %q", s, q.String())
		}
	}
}

func TestExactAmount(t *testing.T) {
	cases := []struct {
		s     string
		milli bool
		want  string
		ok    bool
	}{
		{"250m", true, "250", true},
		{"1", true, "1000", true},
		{"1.5", true, "1500", true},
		{"0.5", false, "0.5", true},
		{"1Gi", false, "1073741824", true},
		{"1.5Ki", false, "1536", true},
		{"1e19", true, "10000000000000000000000", true},
		{"9223372036854775807", true, "9223372036854775807000", true},
		{"999999999999Gi", false, "1073741823998926258176", true},
		{"1e400", true, "1" + strings.Repeat("0", 403), true},
		{"0", true, "0", true},
		{"0e-999999999", true, "0", true},
		{"1e-999999999", true, "", false},
		{"1e999999999", false, "", false},
		{"-1", true, "", false},
		{"lots", true, "", false},
		{strings.Repeat("9", 100_000), true, "", false},
	}
	for _, c := range cases {
		got, ok := ExactAmount(c.s, c.milli)
		if got != c.want || ok != c.ok {
			t.Errorf("ExactAmount(%.20q, %t) = %q, %t; want %q, %t", c.s, c.milli, got, ok, c.want, c.ok)
		}
		if q, err := ParseQuantity(c.s, map[bool]string{true: "cpu", false: "memory"}[c.milli]); err == nil && ok {
			if a := Amount(q, c.milli); a != got {
				t.Errorf("%q: ExactAmount %s, Amount %s", c.s, got, a)
			}
		}
	}
}

// The quantity caches answer as reading afresh does, and an answer handed
// out cannot change what they hold.
func TestQuantityCachesMatchFreshReading(t *testing.T) {
	inputs := []string{"250m", "1", "1.5", "0.5", "1Gi", "1e19", "999999999999Gi", "1e400", "lots", "-1", "0", "500m", "8Ei", "1e-999999999"}
	for round := range 2 { // the second round reads the caches
		for _, s := range inputs {
			for _, kind := range []string{"cpu", "memory"} {
				got, gotErr := ParseQuantity(s, kind)
				want, wantErr := parseQuantity(s, kind)
				if (gotErr == nil) != (wantErr == nil) || got.Cmp(want) != 0 || got.String() != want.String() {
					t.Errorf("round %d: ParseQuantity(%q, %s) = %v, %v; afresh %v, %v", round, s, kind, got.String(), gotErr, want.String(), wantErr)
				}
				if gotErr == nil {
					got.Add(resource.MustParse("1"))
				}
			}
			for _, milli := range []bool{true, false} {
				v, ok := ExactAmount(s, milli)
				wv, wok := exactAmount(s, milli)
				if v != wv || ok != wok {
					t.Errorf("round %d: ExactAmount(%q, %t) = %q, %t; afresh %q, %t", round, s, milli, v, ok, wv, wok)
				}
			}
		}
	}
}

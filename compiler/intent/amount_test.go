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

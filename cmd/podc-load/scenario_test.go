package main

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

func TestVariationMakesDistinctIntents(t *testing.T) {
	base := &podcv1.WorkloadIntent{
		Name:       "checkout",
		Labels:     map[string]string{"team": "payments"},
		InitSteps:  []*podcv1.Container{{Name: "migrate", Image: "registry.example.com/migrate:1.4.2"}},
		Containers: []*podcv1.Container{{Name: "app", Image: "registry.example.com:5000/shop/checkout"}},
		Sidecars:   []*podcv1.Container{{Name: "proxy", Image: "envoy@sha256:0123"}},
	}
	orig := proto.Clone(base)

	v, err := parseVariation("name,label,image")
	if err != nil {
		t.Fatal(err)
	}
	wi := v.intent(base, 42)
	if wi.GetName() != "checkout-42" {
		t.Errorf("name %q", wi.GetName())
	}
	if wi.GetLabels()["load-seq"] != "42" || wi.GetLabels()["team"] != "payments" {
		t.Errorf("labels %v", wi.GetLabels())
	}
	for _, tc := range []struct{ got, want string }{
		{wi.GetInitSteps()[0].GetImage(), "registry.example.com/migrate:1.4.2-42"},
		{wi.GetContainers()[0].GetImage(), "registry.example.com:5000/shop/checkout:v0-42"},
		{wi.GetSidecars()[0].GetImage(), "envoy@sha256:0123"},
	} {
		if tc.got != tc.want {
			t.Errorf("image %q, want %q", tc.got, tc.want)
		}
	}
	if !proto.Equal(base, orig) {
		t.Error("the base intent was changed")
	}
	if v.intent(base, 43).GetName() == wi.GetName() {
		t.Error("two sequence numbers, one name")
	}

	// The default changes the name only.
	v, _ = parseVariation("name")
	wi = v.intent(base, 7)
	if wi.GetName() != "checkout-7" || len(wi.GetLabels()) != 1 || wi.GetContainers()[0].GetImage() != base.GetContainers()[0].GetImage() {
		t.Errorf("vary name changed more: %v", wi)
	}
	// Everything else is the base's.
	same := proto.Clone(wi).(*podcv1.WorkloadIntent)
	same.Name = base.GetName()
	if !proto.Equal(same, base) {
		t.Errorf("vary name: the rest differs from the base: %v", same)
	}
	// Nothing varies: the base itself.
	if (variation{run: "x"}).intent(base, 7) != base {
		t.Error("no variation made a copy")
	}
	// A run's tag goes before the sequence number.
	if got := (variation{name: true, run: "k3x9"}).intent(base, 7).GetName(); got != "checkout-k3x9-7" {
		t.Errorf("name with the run's tag: %q", got)
	}
}

func TestSeqNameStaysADNSLabel(t *testing.T) {
	long := strings.Repeat("a", 60) + "-bc"
	got := seqName(long, "123456")
	if len(got) > maxNameLength || strings.Contains(got, "--") || !strings.HasSuffix(got, "-123456") {
		t.Errorf("seqName = %q (%d)", got, len(got))
	}
	if got := seqName("", "5"); got != "load-5" {
		t.Errorf("no name: %q", got)
	}
}

func TestParseModeAndVariation(t *testing.T) {
	for _, s := range []string{"distinct", "identical", "batch", "unary-sequential"} {
		if m, err := parseMode(s); err != nil || string(m) != s {
			t.Errorf("%s: %v %v", s, m, err)
		}
	}
	if _, err := parseMode("burst"); err == nil {
		t.Error("an unknown mode was accepted")
	}
	if _, err := parseVariation("name,colour"); err == nil {
		t.Error("an unknown variation was accepted")
	}
	if v, err := parseVariation("image, name"); err != nil || v.String() != "name,image" {
		t.Errorf("got %v, %v", v, err)
	}
	if v, _ := parseVariation("none"); v.String() != "none" {
		t.Errorf("none: %v", v)
	}
}

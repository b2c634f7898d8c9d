package importer_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/importer"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// recorder collects what the comparison reports.
type recorder struct{ errs []string }

type fatal struct{}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	panic(fatal{})
}

// judged runs the round trip comparison of res against data and returns
// what it reports.
func judged(data []byte, res *importer.Result, denied string) (errs []string) {
	r := &recorder{}
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(fatal); !ok {
				panic(v)
			}
		}
		errs = r.errs
	}()
	judge(r, data, res, denied)
	return r.errs
}

// The comparison that judges the corpus finds what an import gets wrong:
// a changed value, a dropped label, a loss not reported, a loss reported
// for a field that round-trips.
func TestJudgeFindsDifferences(t *testing.T) {
	data, err := os.ReadFile("testdata/corpus/microservices-demo-frontend.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fresh := func() *importer.Result {
		res, err := importer.Import(data, importer.Options{AllowLoss: true})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if errs := judged(data, fresh(), ""); len(errs) > 0 {
		t.Fatalf("the import itself does not round-trip: %v", errs)
	}
	cases := []struct {
		name   string
		mutate func(*importer.Result)
		want   string
	}{
		{"an env value", func(r *importer.Result) {
			r.Intent.Containers[0].Env[0].Source = &podcv1.EnvVar_Value{Value: "9090"}
		}, "env[0].value"},
		{"a pod label", func(r *importer.Result) { delete(r.Intent.Labels, "app") }, "app"},
		{"a key of the kept selector", func(r *importer.Result) { r.Intent.Selector["track"] = "stable" }, "spec.selector.matchLabels.track"},
		{"a pod annotation", func(r *importer.Result) { r.Intent.PodAnnotations["sidecar.istio.io/rewriteAppHTTPProbers"] = "false" }, "rewriteAppHTTPProbers"},
		{"a loss not reported", func(r *importer.Result) {
			var kept []importer.Loss
			for _, l := range r.Lost {
				if !strings.Contains(l.Field, "spec.securityContext") {
					kept = append(kept, l)
				}
			}
			r.Lost = kept
		}, "securityContext"},
		{"a loss that is none", func(r *importer.Result) {
			r.Lost = append(r.Lost, importer.Loss{Object: "Deployment/frontend", Field: "spec.template.spec.containers[0].image"})
		}, "the same after the round trip"},
		{"a lost list element that is kept", func(r *importer.Result) {
			r.Lost = append(r.Lost, importer.Loss{Object: "Deployment/frontend", Field: "spec.template.spec.containers[0].env[1]"})
		}, "env"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := fresh()
			c.mutate(res)
			errs := judged(data, res, "")
			if !strings.Contains(strings.Join(errs, "\n"), c.want) {
				t.Errorf("the comparison reports %q; want a difference naming %s", errs, c.want)
			}
		})
	}
}

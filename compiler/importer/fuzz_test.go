package importer_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/importer"
	"github.com/podc-dev/podc/compiler/intent"
)

// FuzzImport feeds the importer mangled manifests: it never panics, it
// refuses with an *InputError or a *LossError only, and every intent it
// returns passes the intent's own checks.
func FuzzImport(f *testing.F) {
	for _, name := range []string{"microservices-demo-frontend", "ingress-nginx-baremetal-ingress-nginx-controller", "kubernetes-website-myapp-sidecar", "kubernetes-dashboard-env-variables",
		"argo-cd-argocd-repo-server", "podinfo-backend", "ingress-nginx-kind-ingress-nginx-controller"} {
		data, err := os.ReadFile("testdata/corpus/" + name + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, true)
	}
	f.Add([]byte(`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"spec":{"containers":[{"name":"a","image":"a:1"}]}}]}`), false)
	f.Fuzz(func(t *testing.T, data []byte, allowLoss bool) {
		if msg := importsSoundly(data, allowLoss); msg != "" {
			t.Fatal(msg)
		}
	})
}

// importsSoundly imports data and says what is wrong with the outcome, if
// anything: an error of neither kind, an intent the intent's checks
// refuse, lost fields without AllowLoss.
func importsSoundly(data []byte, allowLoss bool) string {
	res, err := importer.Import(data, importer.Options{AllowLoss: allowLoss})
	var ie *importer.InputError
	var le *importer.LossError
	switch {
	case err == nil:
		if fs := intent.Check(res.Intent, intent.Options{}); len(fs) > 0 {
			return fmt.Sprintf("the imported intent fails the intent's checks: %v", fs)
		}
		if len(res.Lost) > 0 && !allowLoss {
			return "lost fields without AllowLoss"
		}
	case errors.As(err, &ie), errors.As(err, &le):
	default:
		return fmt.Sprintf("an error of neither kind: %v", err)
	}
	return ""
}

// Corpus cases with one line left out, each in turn: whatever that makes
// of them (a field gone, an indentation broken, a Service that no longer
// selects, a probe's port no longer declared), the import is sound, and
// one that succeeds round-trips (unless baseline refuses the intent).
func TestImportSurvivesDeletedLines(t *testing.T) {
	for _, name := range []string{"microservices-demo-frontend", "metrics-server-metrics-server", "kubernetes-website-myapp-sidecar",
		"ingress-nginx-kind-ingress-nginx-controller", "podinfo-backend", "prometheus-operator-prometheus-operator-admission-webhook"} {
		data, err := os.ReadFile("testdata/corpus/" + name + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.SplitAfter(data, []byte("\n"))
		for i := range lines {
			mangled := bytes.Join(append(append([][]byte{}, lines[:i]...), lines[i+1:]...), nil)
			if msg := importsSoundly(mangled, true); msg != "" {
				t.Errorf("%s without line %d (%q): %s", name, i+1, bytes.TrimSpace(lines[i]), msg)
				continue
			}
			res, err := importer.Import(mangled, importer.Options{AllowLoss: true})
			if err != nil {
				continue
			}
			for _, e := range judged(mangled, res, "") {
				if !strings.HasPrefix(e, "compile of the imported intent: denied by policy") {
					t.Errorf("%s without line %d (%q): %s", name, i+1, bytes.TrimSpace(lines[i]), e)
				}
			}
		}
	}
}

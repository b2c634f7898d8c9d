package importer_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/importer"
	"github.com/podc-dev/podc/compiler/intent"
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
	const frontend, rabbitmq = "microservices-demo-frontend", "argocd-example-apps-sock-shop-rabbitmq"
	cases := []struct {
		name   string
		corpus string
		mutate func(*importer.Result)
		want   string
	}{
		{"an env value", frontend, func(r *importer.Result) {
			r.Intent.Containers[0].Env[0].Source = &podcv1.EnvVar_Value{Value: "9090"}
		}, "env[0].value"},
		{"a pod label", frontend, func(r *importer.Result) { delete(r.Intent.Labels, "app") }, "app"},
		{"a key of the kept selector", frontend, func(r *importer.Result) { r.Intent.Selector["track"] = "stable" }, "spec.selector.matchLabels.track"},
		{"a pod annotation", frontend, func(r *importer.Result) { r.Intent.PodAnnotations["sidecar.istio.io/rewriteAppHTTPProbers"] = "false" }, "rewriteAppHTTPProbers"},
		{"a loss not reported", rabbitmq, func(r *importer.Result) {
			var kept []importer.Loss
			for _, l := range r.Lost {
				if !strings.Contains(l.Field, "securityContext.capabilities") {
					kept = append(kept, l)
				}
			}
			r.Lost = kept
		}, "capabilities"},
		{"a loss that is none", frontend, func(r *importer.Result) {
			r.Lost = append(r.Lost, importer.Loss{Object: "Deployment/frontend", Field: "spec.template.spec.containers[0].image"})
		}, "the same after the round trip"},
		{"a lost list element that is kept", frontend, func(r *importer.Result) {
			r.Lost = append(r.Lost, importer.Loss{Object: "Deployment/frontend", Field: "spec.template.spec.containers[0].env[1]"})
		}, "env"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, err := os.ReadFile("testdata/corpus/" + c.corpus + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			res, err := importer.Import(data, importer.Options{AllowLoss: true})
			if err != nil {
				t.Fatal(err)
			}
			if errs := judged(data, res, ""); len(errs) > 0 {
				t.Fatalf("the import itself does not round-trip: %v", errs)
			}
			c.mutate(res)
			errs := judged(data, res, "")
			if !strings.Contains(strings.Join(errs, "\n"), c.want) {
				t.Errorf("the comparison reports %q; want a difference naming %s", errs, c.want)
			}
		})
	}
}

// sameMeaning is the manifests of a workload whose ports and pod security
// context compile spells otherwise, all to the same effect: an unnamed
// container port (compile names it), an unnamed Service port (compile
// names it), targetPorts by number and unset (compile targets by name),
// and fsGroup without a change policy (compile writes Always).
const sameMeaningManifests = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: {fsGroup: 2000}
      containers:
      - name: web
        image: "web:1.0"
        ports:
        - {containerPort: 8080}
        - {name: admin, containerPort: 9000}
        - {name: metrics, containerPort: 9100}
        - {name: debug, containerPort: 6060}
---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec:
  selector: {app: web}
  ports:
  - {port: 80, targetPort: 8080}
---
apiVersion: v1
kind: Service
metadata: {name: web-admin, labels: {app: web}}
spec:
  selector: {app: web}
  ports:
  - {name: admin, port: 9000}
  - {name: metrics, port: 9100, targetPort: metrics}
`

// The comparison takes a targetPort by the port it resolves to, a name
// compile gives an unnamed port as an addition and fsGroupChangePolicy
// Always as unset, and nothing more: a Service port that carries another
// container port, a renamed or dropped port name and another change
// policy are differences, and the spellings reported lost are faults of
// the import.
func TestJudgeSameMeaning(t *testing.T) {
	data := []byte(sameMeaningManifests)
	fresh := func() *importer.Result {
		res, err := importer.Import(data, importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if errs := judged(data, fresh(), ""); len(errs) > 0 {
		t.Fatalf("the import itself does not round-trip: %v", errs)
	}
	admin := func(t *testing.T, r *importer.Result) *podcv1.Service {
		for _, s := range r.Intent.Services {
			if s.Name == "web-admin" {
				return s
			}
		}
		t.Fatalf("no Service web-admin in %v", r.Intent.Services)
		return nil
	}
	port := func(t *testing.T, r *importer.Result, name string) *podcv1.Port {
		for _, p := range r.Intent.Containers[0].Ports {
			if intent.PortName(p) == name {
				return p
			}
		}
		t.Fatalf("no port %s in %v", name, r.Intent.Containers[0].Ports)
		return nil
	}
	lost := func(field string) func(*testing.T, *importer.Result) {
		return func(_ *testing.T, r *importer.Result) {
			obj := "Deployment/web"
			if strings.HasPrefix(field, "spec.ports") {
				obj = "Service/web"
			}
			r.Lost = append(r.Lost, importer.Loss{Object: obj, Field: field})
		}
	}
	cases := []struct {
		name   string
		mutate func(*testing.T, *importer.Result)
		want   []string
	}{
		{"a Service port that carries another container port", func(t *testing.T, r *importer.Result) {
			ps := admin(t, r).Ports
			ps[0].Name, ps[1].Name = ps[1].Name, ps[0].Name
			ps[0].ServicePort, ps[1].ServicePort = 9000, 9100
		}, []string{
			"Service/web-admin: spec.ports[0].targetPort: manifest 9000, compiled 9100",
			"Service/web-admin: spec.ports[1].targetPort: manifest 9100, compiled 9000",
		}},
		{"a renamed container port and Service port", func(t *testing.T, r *importer.Result) {
			port(t, r, "admin").Name = "adm"
			admin(t, r).Ports[0].Name = "adm"
		}, []string{
			`Deployment/web: spec.template.spec.containers[0].ports[1].name: manifest "admin", compiled "adm"`,
			`Service/web-admin: spec.ports[0].name: manifest "admin", compiled "adm"`,
		}},
		{"a dropped port name", func(t *testing.T, r *importer.Result) { port(t, r, "debug").Name = "" }, []string{
			`Deployment/web: spec.template.spec.containers[0].ports[3].name: manifest "debug", compiled (absent)`,
		}},
		{"another fsGroup change policy", func(_ *testing.T, r *importer.Result) {
			r.Intent.SecurityContext.FsGroupChangePolicy = podcv1.FsGroupChangePolicy_FS_GROUP_CHANGE_POLICY_ON_ROOT_MISMATCH
		}, []string{`spec.template.spec.securityContext.fsGroupChangePolicy: manifest (absent), compiled "OnRootMismatch"`}},
		{"an added container port name reported lost", lost("spec.template.spec.containers[0].ports[0].name"), []string{
			"lost Deployment/web: spec.template.spec.containers[0].ports[0].name: the same after the round trip",
		}},
		{"an added Service port name reported lost", lost("spec.ports[0].name"), []string{
			"lost Service/web: spec.ports[0].name: the same after the round trip",
		}},
		{"a targetPort by number reported lost", lost("spec.ports[0].targetPort"), []string{
			"lost Service/web: spec.ports[0].targetPort: the same after the round trip",
		}},
		{"an unset change policy reported lost", lost("spec.template.spec.securityContext.fsGroupChangePolicy"), []string{
			"lost Deployment/web: spec.template.spec.securityContext.fsGroupChangePolicy: the same after the round trip",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := fresh()
			c.mutate(t, res)
			errs := strings.Join(judged(data, res, ""), "\n")
			for _, w := range c.want {
				if !strings.Contains(errs, w) {
					t.Errorf("the comparison reports:\n%s\nwant a difference: %s", errs, w)
				}
			}
		})
	}
}

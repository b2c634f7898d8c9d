package server

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// webManifests is a Deployment and its Service that the intent can say
// whole.
const webManifests = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27.3
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`

// lossyManifests adds what the intent cannot say: a scheduler name and
// the Services' environment variables turned off.
var lossyManifests = strings.Replace(webManifests, "      containers:\n", "      schedulerName: bin-packer\n      enableServiceLinks: false\n      containers:\n", 1)

func TestImportRPC(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	resp, err := e.compiler.Import(ctx, &podcv1.ImportRequest{Manifests: webManifests})
	if err != nil {
		t.Fatal(err)
	}
	wi := resp.GetIntent()
	if wi.GetName() != "web" || wi.GetController() != podcv1.Controller_CONTROLLER_DEPLOYMENT || len(resp.GetLost()) != 0 {
		t.Fatalf("got %v", resp)
	}
	if p := wi.GetContainers()[0].GetPorts()[0]; p.GetExpose() != podcv1.Expose_EXPOSE_CLUSTER || p.GetServicePort() != 80 {
		t.Errorf("port %v: want it exposed in the cluster at 80", p)
	}
	if len(resp.GetNotes()) == 0 {
		t.Error("no notes: the selector kept is not said")
	}
	// The intent compiles back.
	out, err := e.compiler.Compile(ctx, &podcv1.CompileRequest{Intent: wi})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.GetManifests()) != 2 || out.GetManifests()[1].GetKind() != "Service" {
		t.Errorf("compiled %v, want the Deployment and its Service", out.GetManifests())
	}
}

func TestImportRPCRefusesLoss(t *testing.T) {
	e := start(t)
	_, err := e.compiler.Import(context.Background(), &podcv1.ImportRequest{Manifests: lossyManifests})
	st := status.Convert(err)
	if st.Code() != codes.FailedPrecondition {
		t.Fatalf("got %v, want FailedPrecondition", err)
	}
	var fields []string
	reason := ""
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				fields = append(fields, v.GetField())
				if !strings.Contains(v.GetDescription(), "the intent has no") || !strings.Contains(v.GetDescription(), "(at ") {
					t.Errorf("violation %v: want the reason and the position", v)
				}
			}
		case *errdetails.ErrorInfo:
			reason = d.GetReason() + " " + d.GetMetadata()["lost"]
		}
	}
	want := []string{"Deployment/web: spec.template.spec.schedulerName", "Deployment/web: spec.template.spec.enableServiceLinks"}
	if strings.Join(fields, ",") != strings.Join(want, ",") {
		t.Errorf("violations name %v, want %v", fields, want)
	}
	if reason != ReasonLossyImport+" 2" {
		t.Errorf("ErrorInfo reason %q, want %s with 2 lost", reason, ReasonLossyImport)
	}
	if !strings.HasPrefix(st.Message(), "2 fields the intent cannot say; allow_loss drops them: Deployment/web: spec.template.spec.schedulerName: ") {
		t.Errorf("message %q", st.Message())
	}

	resp, err := e.compiler.Import(context.Background(), &podcv1.ImportRequest{Manifests: lossyManifests, AllowLoss: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetLost()) != 2 {
		t.Fatalf("lost %v, want 2", resp.GetLost())
	}
	l := resp.GetLost()[0]
	if l.GetObject() != "Deployment/web" || l.GetField() != "spec.template.spec.schedulerName" || l.GetLine() != 9 || l.GetColumn() != 7 || l.GetReason() == "" {
		t.Errorf("lost[0] = %v", l)
	}
}

func TestImportRPCRefusesInvalidManifests(t *testing.T) {
	e := start(t)
	cases := []struct {
		name, manifests string
		format          podcv1.ManifestFormat
		field, desc     string
	}{
		{"malformed YAML", "apiVersion: v1\nkind: [Pod\n", 0, "manifests", "(at 3:1)"},
		{"JSON asked for", webManifests, podcv1.ManifestFormat_MANIFEST_FORMAT_JSON, "manifests", "not JSON"},
		{"a value of the wrong type", strings.Replace(webManifests, "selector: {matchLabels", "replicas: many\n  selector: {matchLabels", 1), 0,
			"Deployment/web: spec.replicas", "a string, where Kubernetes wants an integer (at 5:3)"},
		{"too large", strings.Repeat("#", 1<<20+1), 0, "manifests", "more than the 1048576 an import reads"},
		{"no workload", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", 0, "manifests", "no Pod or Deployment"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.compiler.Import(context.Background(), &podcv1.ImportRequest{Manifests: c.manifests, Format: c.format})
			st := status.Convert(err)
			if st.Code() != codes.InvalidArgument {
				t.Fatalf("got %v, want InvalidArgument", err)
			}
			found := false
			for _, d := range st.Details() {
				if br, ok := d.(*errdetails.BadRequest); ok {
					for _, v := range br.GetFieldViolations() {
						if v.GetField() == c.field && strings.Contains(v.GetDescription(), c.desc) {
							found = true
						}
					}
				}
				if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetReason() != ReasonInvalidManifests {
					t.Errorf("ErrorInfo reason %q", info.GetReason())
				}
			}
			if !found {
				t.Errorf("no violation of %s saying %q in %v", c.field, c.desc, st.Details())
			}
		})
	}
}

func TestImportRPCScore(t *testing.T) {
	e := start(t)
	score := "apiVersion: score.dev/v1b1\nmetadata: {name: hello}\ncontainers:\n  hello:\n    image: .\n    variables: {DB: \"${resources.db.host}\"}\n"
	_, err := e.compiler.Import(context.Background(), &podcv1.ImportRequest{Manifests: score})
	if st := status.Convert(err); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), "containers.hello.image") {
		t.Fatalf("got %v, want InvalidArgument naming the image and the placeholder", err)
	}
	resp, err := e.compiler.Import(context.Background(), &podcv1.ImportRequest{Manifests: score, Values: map[string]string{
		"resources.db.host": "db.internal", "containers.hello.image": "registry.example.com/hello:1.0",
	}})
	if err != nil {
		t.Fatal(err)
	}
	c := resp.GetIntent().GetContainers()[0]
	if c.GetImage() != "registry.example.com/hello:1.0" || c.GetEnv()[0].GetValue() != "db.internal" {
		t.Errorf("container %v", c)
	}
}

package importer_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler/importer"
	"github.com/podc-dev/podc/compiler/intent"
)

const scoreHello = `apiVersion: score.dev/v1b1
metadata:
  name: hello
  annotations: {team: storefront}
service:
  ports:
    www: {port: 80, targetPort: 8080}
    dns: {port: 53, protocol: UDP}
containers:
  hello:
    image: busybox:1.36
    command: ["/bin/sh"]
    args: ["-c", "echo $${GREETING} from ${metadata.name}"]
    variables:
      GREETING: hello
      DB_HOST: ${resources.db.host}
    resources:
      requests: {cpu: 100m}
      limits: {memory: 128Mi, cpu: 1}
    livenessProbe:
      httpGet: {path: /alive, port: 8080, host: example.com}
      exec: {command: ["true"]}
    readinessProbe:
      exec: {command: [cat, /ready]}
    files:
      /etc/hello.conf: {content: hi}
  sidecar:
    image: .
resources:
  db: {type: postgres}
`

func TestImportScore(t *testing.T) {
	values := map[string]string{"resources.db.host": "db.internal", "containers.sidecar.image": "registry.example.com/sidecar:1.0"}
	res, err := importer.Import([]byte(scoreHello), importer.Options{AllowLoss: true, Values: values})
	if err != nil {
		t.Fatal(err)
	}
	want, err := intent.Decode([]byte(`
name: hello
annotations: {team: storefront}
controller: CONTROLLER_DEPLOYMENT
containers:
  - name: hello
    image: busybox:1.36
    command: [/bin/sh]
    args: [-c, "echo ${GREETING} from hello"]
    env:
      - {name: DB_HOST, value: db.internal}
      - {name: GREETING, value: hello}
    ports:
      - {name: dns, containerPort: 53, protocol: PROTOCOL_UDP, expose: EXPOSE_CLUSTER}
      - {name: www, containerPort: 8080, expose: EXPOSE_CLUSTER, servicePort: 80}
    resources:
      cpu: {request: 100m, limit: "1"}
      memory: {limit: 128Mi}
    probes:
      liveness: {httpGet: {path: /alive, port: "8080"}}
      readiness: {exec: {command: [cat, /ready]}}
  - {name: sidecar, image: "registry.example.com/sidecar:1.0"}
`))
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(res.Intent, want) {
		got, _ := importer.Encode(res.Intent, importer.YAML)
		t.Errorf("intent:\n%s", got)
	}
	var paths []string
	for _, l := range res.Lost {
		paths = append(paths, l.Path())
	}
	wantLost := []string{
		"Workload/hello: containers.hello.livenessProbe.httpGet.host",
		"Workload/hello: containers.hello.livenessProbe.exec",
		"Workload/hello: containers.hello.files",
		"Workload/hello: resources",
	}
	if !slices.Equal(paths, wantLost) {
		t.Errorf("lost:\n  %s\nwant:\n  %s", strings.Join(paths, "\n  "), strings.Join(wantLost, "\n  "))
	}
	if fs := intent.Check(res.Intent, intent.Options{}); len(fs) > 0 {
		t.Errorf("the intent fails the checks: %v", fs)
	}

	// Without AllowLoss, a LossError names the same fields.
	_, err = importer.Import([]byte(scoreHello), importer.Options{Values: values})
	var le *importer.LossError
	if !errors.As(err, &le) || len(le.Lost) != len(wantLost) {
		t.Errorf("without AllowLoss: %v", err)
	}
}

func TestImportScoreRefusesUnresolved(t *testing.T) {
	_, err := importer.Import([]byte(scoreHello), importer.Options{AllowLoss: true})
	var ie *importer.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v, want an *InputError", err)
	}
	var got []string
	for _, p := range ie.Problems {
		got = append(got, p.String())
	}
	want := []string{
		"Workload/hello: containers.hello.variables.DB_HOST: ${resources.db.host} is a placeholder podc cannot resolve: supply its value (podc import --set resources.db.host=VALUE) (at 16:7)",
		`Workload/hello: containers.sidecar.image: "." is an image built for the workload, which podc cannot compile: supply its reference (podc import --set containers.sidecar.image=IMAGE) (at 28:5)`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	// A Score file is imported on its own.
	_, err = importer.Import([]byte(pod+"---\n"+scoreHello), importer.Options{AllowLoss: true})
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "a Score workload (score.dev/v1b1) among other documents") {
		t.Errorf("got %v", err)
	}
}

// The Score specification's own sample of every field.
func TestImportScoreSpecSample(t *testing.T) {
	data, err := os.ReadFile("testdata/score/score-full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.Import(data, importer.Options{AllowLoss: true, Values: map[string]string{"containers.container-two2.image": "registry.example.com/two:1.0"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range res.Lost {
		got = append(got, l.String())
	}
	want := []string{
		"Workload/example-workload-name123: metadata.extra-key: the intent has no field for it",
		"Workload/example-workload-name123: containers.container-one1.resources.requests: the intent's checks refuse it: 1000m is more than the limit 0.24: the request must not exceed the limit",
		"Workload/example-workload-name123: containers.container-one1.files: the intent mounts no files of the workload's own: give them to it as a ConfigMap or Secret volume",
		"Workload/example-workload-name123: containers.container-one1.volumes: the workload's volumes come from its Score resources, which podc does not provision",
		"Workload/example-workload-name123: containers.container-one1.livenessProbe.exec: the intent's probes have one handler, and this one has an HTTP GET too",
		"Workload/example-workload-name123: containers.container-one1.readinessProbe: the intent's checks refuse it: \"SOME_HEADER\" is not a valid HTTP header name: a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')",
		"Workload/example-workload-name123: resources: the workload's Score resources (databases, routes, volumes) are provisioned by a Score implementation; podc compiles the workload alone",
	}
	if !slices.Equal(got, want) {
		t.Errorf("lost:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if len(res.Intent.GetContainers()) != 2 || len(res.Intent.GetContainers()[0].GetPorts()) != 2 {
		t.Errorf("intent %v", res.Intent)
	}
}

func TestImportScoreRefusesWrongTypes(t *testing.T) {
	in := strings.Replace(scoreHello, "exec: {command: [\"true\"]}", "exec: {command: [true]}", 1)
	_, err := importer.Import([]byte(in), importer.Options{AllowLoss: true})
	want := "Workload/hello: containers.hello.livenessProbe.exec.command[0]: a bool, where Score wants a string (at 22:24)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %s", err, want)
	}
}

package intent

import (
	"testing"

	"github.com/podc-dev/podc/compiler/diag"
)

func TestAsIntentJSON(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"probes": {"readiness": {"tcpSocket": {"port": 8080}}}}`, `{"probes": {"readiness": {"tcpSocket": {"port": "8080"}}}}`},
		{`{"httpGet":{"path":"/","port":80},"x":[{"httpGet":{"port" :  443}}]}`, `{"httpGet":{"path":"/","port":"80"},"x":[{"httpGet":{"port" :  "443"}}]}`},
		// Already a string, a name, a gRPC port (an int32 field), a label,
		// a value inside a string, a fraction: all left alone.
		{`{"tcpSocket": {"port": "http"}}`, ``},
		{`{"grpc": {"port": 9090}}`, ``},
		{`{"labels": {"port": 80}}`, ``},
		{`{"tcpSocket": {"note": "{\"port\": 80}", "x": 1}}`, ``},
		{`{"tcpSocket": {"port": 8080.5}}`, ``},
		{`{"tcpSocket": {"port": 1e3}}`, ``},
		{`{"tcpSocket": {"port": -1}}`, ``},
		{`{"tcpSocket": ["port", 80]}`, ``},
		{`{"tcpSocket": {"port": 8`, `{"tcpSocket": {"port": "8"`},
		{`{"a": "unterminated`, ``},
		// Kubernetes' spelling of a member name, never a value's.
		{`{"volumes": [{"downwardAPI": {"items": []}}], "x": "downwardAPI"}`, `{"volumes": [{"downwardApi": {"items": []}}], "x": "downwardAPI"}`},
	}
	for _, c := range cases {
		want := c.want
		if want == "" {
			want = c.in
		}
		if got := string(asIntentJSON([]byte(c.in))); got != want {
			t.Errorf("asIntentJSON(%s)\n got %s\nwant %s", c.in, got, want)
		}
	}
}

// A probe's port may be written as a number in JSON and YAML, as
// Kubernetes' IntOrString allows; other string fields still refuse numbers.
func TestDecodeNumericProbePorts(t *testing.T) {
	docs := map[string]string{
		"json": `{"name": "web", "containers": [{"name": "web", "image": "nginx:1.27.3",
			"probes": {"readiness": {"tcpSocket": {"port": 8080}}, "liveness": {"httpGet": {"path": "/", "port": 80}}}}]}`,
		"yaml": "name: web\ncontainers:\n  - name: web\n    image: nginx:1.27.3\n    probes:\n      readiness: {tcpSocket: {port: 8080}}\n      liveness: {httpGet: {path: /, port: 80}}\n",
	}
	for form, doc := range docs {
		wi, err := Decode([]byte(doc))
		if err != nil {
			t.Errorf("%s: %v", form, err)
			continue
		}
		pr := wi.GetContainers()[0].GetProbes()
		if pr.GetReadiness().GetTcpSocket().GetPort() != "8080" || pr.GetLiveness().GetHttpGet().GetPort() != "80" {
			t.Errorf("%s: ports %q and %q", form, pr.GetReadiness().GetTcpSocket().GetPort(), pr.GetLiveness().GetHttpGet().GetPort())
		}
	}
	for form, doc := range map[string]string{
		"json": `{"name": "web", "labels": {"port": 80}}`,
		"yaml": "name: web\nlabels: {port: 80}\n",
	} {
		_, err := Decode([]byte(doc))
		de, ok := diag.AsError(err)
		if !ok || len(de.Findings) != 1 || de.Findings[0].Field != `labels["port"]` {
			t.Errorf("%s: a number as a label value: got %v, want a refusal at labels[\"port\"]", form, err)
		}
	}
}

// A disruption budget's maxUnavailable and minAvailable, IntOrStrings in
// Kubernetes, may be numbers in JSON and YAML; elsewhere those names stay
// strings.
func TestDecodeNumericDisruptionBudget(t *testing.T) {
	docs := map[string]string{
		"json": `{"name": "web", "protection": {"disruptionBudget": {"maxUnavailable": 1, "minAvailable": 2}}}`,
		"yaml": "name: web\nprotection:\n  disruptionBudget: {maxUnavailable: 1, minAvailable: 2}\n",
	}
	for form, doc := range docs {
		wi, err := Decode([]byte(doc))
		if err != nil {
			t.Errorf("%s: %v", form, err)
			continue
		}
		db := wi.GetProtection().GetDisruptionBudget()
		if db.GetMaxUnavailable() != "1" || db.GetMinAvailable() != "2" {
			t.Errorf("%s: maxUnavailable %q, minAvailable %q", form, db.GetMaxUnavailable(), db.GetMinAvailable())
		}
	}
	if got := string(asIntentJSON([]byte(`{"labels": {"minAvailable": 2}}`))); got != `{"labels": {"minAvailable": 2}}` {
		t.Errorf("a label named minAvailable was quoted: %s", got)
	}
}

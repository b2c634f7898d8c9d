package compiler_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/render"
)

// productionGoldens holds one case per example, compiled under the
// production profile: testdata/production/NAME.txtar. scripts/kube-score.sh
// scores the manifests.yaml of each.
const productionGoldens = "testdata/production"

// TestProductionGolden compiles every example (examples/NAME.json, byte
// for byte the case's intent.json) under the production profile, through
// the whole pipeline, and compares the manifests and the report, or the
// refusal, with the case. PODC_UPDATE_GOLDEN=1 rewrites them.
func TestProductionGolden(t *testing.T) {
	examples, err := filepath.Glob("../examples/*.json")
	if err != nil || len(examples) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	cases, _ := filepath.Glob(productionGoldens + "/*.txtar")
	if len(cases) != len(examples) {
		t.Errorf("%d production cases for %d examples: one per example", len(cases), len(examples))
	}
	e := newEngine(t, intent.DefaultNodePorts)
	for _, ex := range examples {
		name := strings.TrimSuffix(filepath.Base(ex), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(ex)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(productionGoldens, name+".txtar")
			got := productionOutputs(t, e, data)
			if updateGolden() {
				ar := &txtar.Archive{Comment: []byte(fmt.Sprintf("The example %s.json, byte for byte, compiled under the production profile.\n", name))}
				ar.Files = append(ar.Files, txtar.File{Name: "intent.json", Data: data})
				for _, f := range []string{"manifests.yaml", "report.txt", "refused.txt"} {
					if g, ok := got[f]; ok {
						ar.Files = append(ar.Files, txtar.File{Name: f, Data: []byte(g)})
					}
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatalf("no production case for %s: %v", ex, err)
			}
			want := map[string]string{}
			for _, f := range ar.Files {
				want[f.Name] = string(f.Data)
			}
			if want["intent.json"] != string(data) {
				t.Errorf("%s: intent.json differs from %s", file, ex)
			}
			for _, f := range []string{"manifests.yaml", "report.txt", "refused.txt"} {
				if got[f] != want[f] {
					t.Errorf("%s differs:\n--- want\n%s\n--- got\n%s", f, want[f], got[f])
				}
			}
		})
	}
}

func updateGolden() bool { return os.Getenv("PODC_UPDATE_GOLDEN") == "1" }

// productionOutputs compiles an intent under production as YAML and
// returns the case's outputs: the manifests and the report, or the
// refusal.
func productionOutputs(t *testing.T, e *compiler.Engine, data []byte) map[string]string {
	t.Helper()
	wi, err := intent.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Compile(context.Background(), compiler.Request{Intent: wi, Profile: "production", Format: render.YAML})
	if err != nil {
		de, ok := diag.AsError(err)
		if !ok || de.Kind == diag.Internal {
			t.Fatalf("compile: %v", err)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s\n", de.Kind)
		for _, f := range de.Findings {
			fmt.Fprintf(&b, "%s\n", f)
		}
		return map[string]string{"refused.txt": b.String()}
	}
	var b strings.Builder
	for _, f := range res.Report.Findings {
		fmt.Fprintf(&b, "%s: %s\n", f.Severity, f)
	}
	for _, d := range res.Report.Defaults {
		if strings.HasPrefix(d.Source, "policy:") {
			fmt.Fprintf(&b, "default %s = %s [%s]\n", d.Field, d.Value, d.Source)
		}
	}
	for _, n := range res.Report.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return map[string]string{
		"manifests.yaml": string(render.Stream(res.Manifests, render.YAML)),
		"report.txt":     b.String(),
	}
}

package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/podc-dev/podc/compiler/intent"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// The CLI and the server give the same manifests, in the same order, in
// YAML and in JSON, for every example under the production profile: the
// workload, its Services by name, then its PodDisruptionBudget,
// HorizontalPodAutoscaler and NetworkPolicy.
func TestCLIAndServerAgreeUnderProduction(t *testing.T) {
	s := serveForTest(t)
	conn, err := grpc.NewClient(s.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	client := podcv1.NewCompilerServiceClient(conn)
	files, err := filepath.Glob("../../examples/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	compiled := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		wi, err := intent.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"yaml", "json"} {
			code, out, errs := run(t, "", "compile", "-f", f, "-profile", "production", "-o", format)
			req := &podcv1.CompileRequest{Intent: wi, Profile: "production", Format: podcv1.OutputFormat_OUTPUT_FORMAT_YAML}
			if format == "json" {
				req.Format = podcv1.OutputFormat_OUTPUT_FORMAT_JSON
			}
			resp, err := client.Compile(context.Background(), req)
			if (code == 0) != (err == nil) {
				t.Fatalf("%s %s: the CLI exits %d (%s), the server says %v", f, format, code, errs, err)
			}
			if err != nil {
				continue
			}
			compiled++
			var kinds []string
			var want strings.Builder
			if format == "json" {
				want.WriteString("[\n")
			}
			for i, m := range resp.GetManifests() {
				kinds = append(kinds, m.GetKind())
				if format == "json" {
					if i > 0 {
						want.WriteString(",\n")
					}
					want.WriteString(strings.TrimRight(m.GetContent(), "\n"))
					continue
				}
				want.WriteString("---\n" + m.GetContent())
			}
			if format == "json" {
				want.WriteString("\n]\n")
				var list []map[string]any
				if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != len(kinds) {
					t.Errorf("%s: the CLI's JSON is not a list of %d objects: %v", f, len(kinds), err)
				}
			}
			if out != want.String() {
				t.Errorf("%s %s: the CLI's manifests differ from the server's", f, format)
			}
			if !ordered(kinds) {
				t.Errorf("%s %s: kinds in the order %v", f, format, kinds)
			}
			if !slices.Contains(kinds, "PodDisruptionBudget") || !slices.Contains(kinds, "NetworkPolicy") {
				t.Errorf("%s %s: production output without a budget or a network policy: %v", f, format, kinds)
			}
			if strings.HasSuffix(f, "catalog.json") && !slices.Contains(kinds, "HorizontalPodAutoscaler") {
				t.Errorf("%s %s: no autoscaler: %v", f, format, kinds)
			}
		}
	}
	if compiled == 0 {
		t.Fatal("no example compiled under production")
	}
}

// ordered reports whether kinds come in podc's order: the workload, the
// Services, then the PodDisruptionBudget, HorizontalPodAutoscaler and
// NetworkPolicy.
func ordered(kinds []string) bool {
	rank := map[string]int{"Pod": 0, "Deployment": 0, "Service": 1, "PodDisruptionBudget": 2, "HorizontalPodAutoscaler": 3, "NetworkPolicy": 4}
	return slices.IsSortedFunc(kinds, func(a, b string) int { return rank[a] - rank[b] }) && len(kinds) > 0 && rank[kinds[0]] == 0
}

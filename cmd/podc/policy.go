package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/policytest"
	"github.com/podc-dev/podc/compiler/provenance"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

const policyUsage = `Usage:
  podc policy list [--policies DIR]   list a bundle's profiles and rules
  podc policy vet DIR                 check that a bundle compiles
  podc policy test DIR                run a bundle's test cases (DIR/tests/*.txtar)
`

// policyCmd is "podc policy": list, vet and test policy bundles.
func policyCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, policyUsage)
		return exitUsage
	}
	switch args[0] {
	case "list":
		return policyList(args[1:], stdout, stderr)
	case "vet":
		return policyVet(args[1:], stdout, stderr)
	case "test":
		return policyTest(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, policyUsage)
		return exitOK
	}
	fmt.Fprintf(stderr, "podc policy: unknown command %q (want list, vet or test)\n", args[0])
	return exitUsage
}

func policyList(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("policy list", "policy list [--policies DIR]", stderr)
	dir := fs.String("policies", "", "a policy bundle directory (default: the embedded bundle)")
	if err := fs.Parse(args); err != nil {
		return parseExit(err)
	}
	// Listing compiles no rule; a directory bundle is still checked whole.
	b, err := loadBundle(*dir, policy.Options{Lazy: true}, intent.DefaultNodePorts)
	if err != nil {
		fmt.Fprintf(stderr, "podc policy list: %v\n", err)
		return exitRefused
	}
	fmt.Fprintf(stdout, "bundle %s (%s)\n\nprofiles:\n", b.Digest(), b.Source())
	for _, p := range b.Profiles() {
		fmt.Fprintf(stdout, "  %-12s %s\n", p.Name, p.Description)
	}
	fmt.Fprintln(stdout, "\nrules:")
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ID\tPROFILES\tSEVERITY\tSTAGE\tEXCEPTION\tDESCRIPTION")
	for _, r := range b.Rules() {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", r.ID, strings.Join(r.Profiles, ","), r.Severity, r.Stage, exceptionTerms(r.Exception), r.Description)
	}
	tw.Flush()
	return exitOK
}

// exceptionTerms says in a word or two on what terms an intent may except
// a rule: "-" (never), "allowed", "conditional", with ",expiry" when it
// must expire and ",<=90d" when within so many days.
func exceptionTerms(t *policy.ExceptionTerms) string {
	if t == nil {
		return "-"
	}
	s := "allowed"
	if t.Conditional {
		s = "conditional"
	}
	switch {
	case t.MaxDays > 0:
		s += fmt.Sprintf(",<=%dd", t.MaxDays)
	case t.RequireExpiry:
		s += ",expiry"
	}
	return s
}

// bundleDirArg reads the one DIR argument of vet and test.
func bundleDirArg(name string, args []string, stderr io.Writer) (string, bool) {
	fs := newFlagSet("policy "+name, "policy "+name+" DIR", stderr)
	if err := fs.Parse(args); err != nil {
		return "", false
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "Usage: podc policy %s DIR\n", name)
		return "", false
	}
	return fs.Arg(0), true
}

// policyVet is "podc policy vet DIR": loads the bundle and evaluates it on
// its smoke set (its test cases and the example intents, under every
// profile) as a server would before serving it; every CUE error and every
// rule that fails to evaluate, with its file:line:column; exit 1 when
// there is any.
func policyVet(args []string, stdout, stderr io.Writer) int {
	dir, ok := bundleDirArg("vet", args, stderr)
	if !ok {
		return exitUsage
	}
	b, err := compiler.LoadBundle(dir, policy.Options{}, intent.DefaultNodePorts)
	if err != nil {
		if le, ok := err.(*policy.LoadError); ok {
			for _, p := range le.Problems {
				fmt.Fprintln(stderr, p)
			}
			fmt.Fprintf(stderr, "%s: %d problem(s)\n", dir, len(le.Problems))
			return exitRefused
		}
		fmt.Fprintf(stderr, "podc policy vet: %v\n", err)
		return exitRefused
	}
	fmt.Fprintf(stdout, "%s: ok: %d profiles, %d rules, %s\n", dir, len(b.Profiles()), len(b.Rules()), b.Digest())
	return exitOK
}

// policyTest is "podc policy test DIR": runs DIR/tests/*.txtar, prints PASS
// or FAIL per case and "N passed, N failed"; exit 1 on any failure. Cases
// without a manifests.yaml are compiled by podc's compiler for the
// manifest rules.
func policyTest(args []string, stdout, stderr io.Writer) int {
	dir, ok := bundleDirArg("test", args, stderr)
	if !ok {
		return exitUsage
	}
	b, err := policy.LoadDir(dir, policy.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "podc policy test: %v\n", err)
		return exitRefused
	}
	results, err := policytest.RunTests(b, os.DirFS(dir), policytest.TestOptions{Compile: compileObjects})
	if err != nil {
		fmt.Fprintf(stderr, "podc policy test: %v\n", err)
		return exitUsage
	}
	if len(results) == 0 {
		fmt.Fprintf(stderr, "podc policy test: no test cases in %s\n", filepath.Join(dir, policytest.TestDir, "*.txtar"))
		return exitRefused
	}
	failed := 0
	for _, r := range results {
		if r.Passed {
			fmt.Fprintf(stdout, "PASS %s\n", r.Name)
			continue
		}
		failed++
		fmt.Fprintf(stdout, "FAIL %s\n", r.Name)
		for _, p := range r.Problems {
			fmt.Fprintf(stdout, "    %s\n", p)
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", len(results)-failed, failed)
	if failed > 0 {
		return exitRefused
	}
	return exitOK
}

func compileObjects(wi *podcv1.WorkloadIntent) ([]runtime.Object, *provenance.Record, error) {
	out, err := compile.Workload(wi, compile.Options{Target: target.Default})
	if err != nil {
		return nil, nil, err
	}
	return out.Objects(), out.Sources, nil
}

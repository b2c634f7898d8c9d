package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/compiler/render"
	"github.com/podc-dev/podc/server"
)

// compileCmd is "podc compile": the service's pipeline, in process.
func compileCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("compile", "compile -f FILE|- [flags]", stderr)
	file := fs.String("f", "", "the intent file, JSON or YAML; - reads standard input")
	output := fs.String("o", "yaml", "output format: yaml (a multi-document stream) or json (a list)")
	profile := fs.String("profile", "", "the policy profile (default: the intent's, then baseline)")
	policies := fs.String("policies", "", "a policy bundle directory (default: the embedded bundle)")
	targetVersion := fs.String("target-version", "", "the target Kubernetes minor, as 1.NN (default: the newest podc knows)")
	apiDefaults := fs.Bool("apiserver-defaults", false, "write out the defaults the kube-apiserver applies")
	explain := fs.Bool("explain", false, "also print the report on stderr: every default applied, every policy decision, the compiler's notes and where each manifest field came from")
	maxInput := fs.Int64("max-input-bytes", defaultMaxInputBytes, "refuse an intent file or stream larger than this")
	nodePorts := intent.DefaultNodePorts
	fs.Var(portRangeFlag{&nodePorts}, "node-port-range", "the platform's node port range, MIN-MAX")
	if err := fs.Parse(args); err != nil {
		return parseExit(err)
	}
	if *file == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	format, err := render.ParseFormat(*output)
	if err != nil {
		fmt.Fprintf(stderr, "podc compile: -o: %v\n", err)
		return exitUsage
	}
	if *maxInput <= 0 {
		fmt.Fprintf(stderr, "podc compile: --max-input-bytes %d: must be more than 0\n", *maxInput)
		return exitUsage
	}
	data, err := readInput(*file, stdin, *maxInput)
	if err != nil {
		fmt.Fprintf(stderr, "podc compile: %v\n", err)
		return exitUsage
	}
	bundle, err := loadBundle(*policies, policy.Options{}, nodePorts)
	if err != nil {
		fmt.Fprintf(stderr, "podc compile: policies: %v\n", err)
		return exitUsage
	}
	wi, err := intent.Decode(data)
	if err != nil {
		return refused(stderr, err, false)
	}
	eng := compiler.New(compiler.Options{Policies: store.New(bundle, nil), NodePorts: nodePorts})
	res, err := eng.Compile(context.Background(), compiler.Request{
		Intent:            wi,
		Profile:           *profile,
		Format:            format,
		TargetVersion:     *targetVersion,
		APIServerDefaults: *apiDefaults,
		Explain:           *explain,
	})
	if err != nil {
		return refused(stderr, err, *explain)
	}
	printWarnings(stderr, &res.Report)
	if *explain {
		explainReport(stderr, &res.Report)
	}
	fmt.Fprintf(stderr, "compiled for Kubernetes %s with policy bundle %s (profile %s)\n", res.Target, res.PolicyDigest, res.Report.Profile)
	if _, err := stdout.Write(render.Stream(res.Manifests, format)); err != nil {
		fmt.Fprintf(stderr, "podc compile: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// refused prints every problem, one per line starting with its field path
// (control characters escaped), and the report as far as it got when
// explain is set; it returns the exit code: 1 for a refused intent, 2 for a
// fault of podc.
func refused(stderr io.Writer, err error, explain bool) int {
	de, ok := diag.AsError(err)
	if !ok || de.Kind == diag.Internal {
		fmt.Fprintf(stderr, "podc compile: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "refused: %s (%d problems)\n", de.Kind, len(de.Findings))
	for _, f := range de.Findings {
		fmt.Fprintln(stderr, oneLine(f.String()))
	}
	if de.Report != nil {
		printWarnings(stderr, de.Report)
		if explain {
			explainReport(stderr, de.Report)
		}
	}
	return exitRefused
}

// printWarnings prints the report's warnings and the violations its
// exceptions excepted, one per line:
//
//	warning: containers[0].image: alpine:latest is not pinned ... [baseline.image-pinned]
//	excepted: containers[0].resources.memory.limit: a memory limit is required [restricted.memory-limit]
func printWarnings(w io.Writer, r *diag.Report) {
	for _, f := range r.Warnings() {
		fmt.Fprintf(w, "warning: %s\n", oneLine(f.String()))
	}
	for _, f := range r.Excepted {
		fmt.Fprintf(w, "excepted: %s\n", oneLine(f.String()))
	}
}

// readInput reads the intent from the file name, or from stdin for "-",
// and refuses more than limit bytes without reading past them.
func readInput(name string, stdin io.Reader, limit int64) ([]byte, error) {
	r, label := stdin, "standard input"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > limit {
			return nil, fmt.Errorf("%s: %d bytes, more than --max-input-bytes %d", name, st.Size(), limit)
		}
		r, label = f, name
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: more than --max-input-bytes %d", label, limit)
	}
	return data, nil
}

// defaultMaxInputBytes bounds an intent read by podc compile: the same as
// the service's largest request.
const defaultMaxInputBytes = server.DefaultMaxMessageBytes

// explainReport prints the defaults, decisions (with what became of the
// intent's exception to the rule, if it asks for one) and notes of a
// report, then where each field of the compiled objects came from, one
// per line:
//
//	decision: restricted.memory-limit excepted (severity deny) exception exceptions[0] applied: 1 violation excepted
//	source: Deployment/checkout: spec.replicas <- replicas
//	source: Deployment/checkout: spec.template.spec.containers[0].imagePullPolicy <- [compiler] containers[0].pullPolicy
//	source: Deployment/checkout: spec.template.spec.containers[0].securityContext.runAsNonRoot <- [policy:restricted.run-as-non-root] containers[0].securityContext.runAsNonRoot
func explainReport(w io.Writer, r *diag.Report) {
	for _, d := range r.Defaults {
		fmt.Fprintln(w, oneLine(fmt.Sprintf("default: %s = %s [%s] %s", d.Field, d.Value, d.Source, d.Reason)))
	}
	for _, d := range r.Decisions {
		line := fmt.Sprintf("decision: %s %s (severity %s)", d.RuleID, d.Outcome, d.Severity)
		if x := d.Exception; x != nil {
			line += fmt.Sprintf(" exception %s %s: %s", x.Field, x.State, x.Message)
		}
		fmt.Fprintln(w, oneLine(line))
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, oneLine("note: "+n))
	}
	for _, s := range r.Sources {
		fmt.Fprintln(w, oneLine("source: "+s.String()))
	}
}

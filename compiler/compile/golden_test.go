package compile_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/render"
	"github.com/podc-dev/podc/compiler/target"
)

// updateGolden rewrites the expected outputs of the golden cases.
var updateGolden = os.Getenv("PODC_UPDATE_GOLDEN") == "1"

// Input files of a golden case.
const (
	fileIntentJSON = "intent.json"
	fileIntentYAML = "intent.yaml"
	fileTarget     = "target"    // optional: "1.28"
	fileNodePorts  = "nodeports" // optional: "31000-31999"
)

// Output files of a golden case: either the manifests and the report, or
// the errors.
const (
	fileManifests = "manifests.yaml"
	fileDefaults  = "defaults.txt"
	fileNotes     = "notes.txt"
	fileSources   = "sources.txt"
	fileErrors    = "errors.txt"
)

// outputFiles are the output files of a golden case, in archive order.
var outputFiles = []string{fileManifests, fileDefaults, fileNotes, fileSources, fileErrors}

// TestGolden runs each testdata/golden/*.txtar case through decode, the size
// limits, check,
// compile and render and compares every output with the archive: the
// manifests, the defaults, the notes and the source of every manifest
// field. Every field of every compiled object must have a recorded source,
// and every recorded source a field (see checkSources).
// PODC_UPDATE_GOLDEN=1 rewrites the expected outputs.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Errorf("only %d golden cases; the suite covers every rule with at least 40", len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := runCase(ar)
			if err != nil {
				t.Fatal(err)
			}
			if updateGolden {
				writeCase(t, file, ar, got)
				return
			}
			want := map[string]string{}
			for _, f := range ar.Files {
				want[f.Name] = string(f.Data)
			}
			for _, name := range outputFiles {
				g, gok := got[name]
				w, wok := want[name]
				switch {
				case gok && !wok:
					t.Errorf("%s: produced but not expected:\n%s", name, g)
				case !gok && wok:
					t.Errorf("%s: expected but not produced; want:\n%s", name, w)
				case g != w:
					t.Errorf("%s differs:\n%s", name, lineDiff(w, g))
				}
			}
		})
	}
}

// runCase returns the outputs of one case, by file name.
func runCase(ar *txtar.Archive) (map[string]string, error) {
	in := map[string][]byte{}
	for _, f := range ar.Files {
		in[f.Name] = f.Data
	}
	data, ok := in[fileIntentJSON]
	if !ok {
		data, ok = in[fileIntentYAML]
	}
	if !ok {
		return nil, fmt.Errorf("no %s or %s in the case", fileIntentJSON, fileIntentYAML)
	}
	tv, err := target.Parse(strings.TrimSpace(string(in[fileTarget])))
	if err != nil {
		return nil, err
	}
	opts := intent.Options{Target: tv, NodePorts: intent.DefaultNodePorts}
	if np, ok := in[fileNodePorts]; ok {
		lo, hi, _ := strings.Cut(strings.TrimSpace(string(np)), "-")
		a, err1 := strconv.Atoi(lo)
		b, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("nodeports %q: want MIN-MAX", np)
		}
		opts.NodePorts = intent.PortRange{Min: int32(a), Max: int32(b)}
	}

	out := map[string]string{}
	wi, err := intent.Decode(data)
	if err != nil {
		de, ok := diag.AsError(err)
		if !ok {
			return nil, fmt.Errorf("decode: not a diag.Error: %v", err)
		}
		out[fileErrors] = findingLines(de.Findings)
		return out, nil
	}
	if fs := intent.CheckLimits(wi, intent.DefaultLimits); len(fs) > 0 {
		out[fileErrors] = findingLines(fs)
		return out, nil
	}
	if fs := intent.Check(wi, opts); len(fs) > 0 {
		out[fileErrors] = findingLines(fs)
		return out, nil
	}
	res, err := compile.Workload(wi, compile.Options{Target: tv})
	if err != nil {
		return nil, fmt.Errorf("compile of a checked intent failed: %v", err)
	}
	if err := checkSources(res); err != nil {
		return nil, err
	}
	ms, err := render.Objects(res.Objects(), render.YAML)
	if err != nil {
		return nil, err
	}
	out[fileManifests] = string(render.Stream(ms, render.YAML))
	var d strings.Builder
	for _, df := range res.Defaults {
		fmt.Fprintf(&d, "%s = %s [%s] %s\n", df.Field, df.Value, df.Source, df.Reason)
	}
	out[fileDefaults] = d.String()
	out[fileNotes] = strings.Join(res.Notes, "\n")
	if len(res.Notes) > 0 {
		out[fileNotes] += "\n"
	}
	var src strings.Builder
	for _, fs := range res.Sources.Sources() {
		src.WriteString(fs.String())
		src.WriteString("\n")
	}
	out[fileSources] = src.String()
	return out, nil
}

func findingLines(fs []diag.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		if f.Severity != diag.Deny || f.Stage != diag.StageIntent {
			fmt.Fprintf(&b, "UNEXPECTED %s/%s: ", f.Severity, f.Stage)
		}
		b.WriteString(f.String())
		b.WriteString("\n")
	}
	return b.String()
}

// writeCase keeps the comment and the input files and replaces the outputs.
func writeCase(t *testing.T, file string, ar *txtar.Archive, got map[string]string) {
	t.Helper()
	next := &txtar.Archive{Comment: ar.Comment}
	for _, f := range ar.Files {
		if !slices.Contains(outputFiles, f.Name) {
			next.Files = append(next.Files, f)
		}
	}
	for _, name := range outputFiles {
		if g, ok := got[name]; ok {
			next.Files = append(next.Files, txtar.File{Name: name, Data: []byte(g)})
		}
	}
	if err := os.WriteFile(file, txtar.Format(next), 0o644); err != nil {
		t.Fatal(err)
	}
}

// lineDiff shows the first differing lines of want and got.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b bytes.Buffer
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want: %s\n  got:  %s\n", i+1, wl, gl)
			if b.Len() > 2000 {
				break
			}
		}
	}
	return b.String()
}

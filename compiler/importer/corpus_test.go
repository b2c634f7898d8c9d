package importer_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/podc-dev/podc/compiler/importer"
)

// updateGolden rewrites the expected outputs of the golden cases.
var updateGolden = os.Getenv("PODC_UPDATE_GOLDEN") == "1"

// corpus returns the corpus cases: testdata/corpus/NAME.yaml, each a
// project's own manifests for one workload and the Services that select it.
func corpus(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Fatalf("the corpus has %d workloads; it holds at least 40", len(files))
	}
	out := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte("# Source: https://github.com/")) {
			t.Errorf("%s: the first line names the source: # Source: https://github.com/OWNER/REPO/blob/COMMIT/PATH", f)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".yaml")] = data
	}
	return out
}

// TestCorpusRoundTrip imports every corpus case with AllowLoss, compiles
// the intent under the baseline profile and checks that compile gives the
// manifests back, apart from exactly the lost fields (see compare).
func TestCorpusRoundTrip(t *testing.T) {
	for name, data := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			roundTrip(t, data)
		})
	}
}

// TestCorpusGolden compares each corpus case's import with
// testdata/golden/NAME.txtar: the lost fields one per line, the notes and
// the intent as YAML. PODC_UPDATE_GOLDEN=1 rewrites them, and the summary
// in testdata/golden/SUMMARY.txt: the share of workloads imported without
// loss and the lost fields ranked by how many workloads lose them.
func TestCorpusGolden(t *testing.T) {
	cases := corpus(t)
	var results []caseResult
	for _, name := range sortedKeys(cases) {
		res, err := importer.Import(cases[name], importer.Options{AllowLoss: true})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		results = append(results, caseResult{name, res})
		got := goldenFiles(t, res)
		file := filepath.Join("testdata", "golden", name+".txtar")
		if updateGolden {
			ar := &txtar.Archive{Comment: []byte("The import of testdata/corpus/" + name + ".yaml, with AllowLoss.\n")}
			for _, f := range []string{"lost", "notes", "intent.yaml"} {
				ar.Files = append(ar.Files, txtar.File{Name: f, Data: []byte(got[f])})
			}
			if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Errorf("%s: %v (PODC_UPDATE_GOLDEN=1 writes it)", name, err)
			continue
		}
		for _, f := range ar.Files {
			if g := got[f.Name]; g != string(f.Data) {
				t.Errorf("%s: %s differs:\n--- want\n%s--- got\n%s", name, f.Name, f.Data, g)
			}
		}
	}
	summary := summarize(results)
	file := filepath.Join("testdata", "golden", "SUMMARY.txt")
	if updateGolden {
		if err := os.WriteFile(file, []byte(summary), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != summary {
		t.Errorf("SUMMARY.txt differs:\n--- want\n%s--- got\n%s", want, summary)
	}
}

type caseResult struct {
	name string
	res  *importer.Result
}

// goldenFiles are the outputs of one import.
func goldenFiles(t *testing.T, res *importer.Result) map[string]string {
	t.Helper()
	var lost, notes strings.Builder
	for _, l := range res.Lost {
		fmt.Fprintln(&lost, l)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(&notes, n)
	}
	y, err := importer.Encode(res.Intent, importer.YAML)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"lost": lost.String(), "notes": notes.String(), "intent.yaml": string(y)}
}

// summarize says how many workloads import without loss and ranks the
// lost fields by how many workloads lose them, a field named by its path
// with list indexes and map keys generalized ("containers[*].lifecycle").
func summarize(results []caseResult) string {
	lossless := 0
	count := map[string]int{}
	for _, r := range results {
		if len(r.res.Lost) == 0 {
			lossless++
		}
		seen := map[string]bool{}
		for _, l := range r.res.Lost {
			seen[fieldKind(l)] = true
		}
		for k := range seen {
			count[k]++
		}
	}
	kinds := sortedKeys(count)
	sort.SliceStable(kinds, func(i, j int) bool { return count[kinds[i]] > count[kinds[j]] })
	var b strings.Builder
	fmt.Fprintf(&b, "workloads: %d\nimported without loss: %d (%.0f%%)\n\nlost fields, by the workloads that lose them:\n",
		len(results), lossless, 100*float64(lossless)/float64(len(results)))
	for _, k := range kinds {
		fmt.Fprintf(&b, "%4d  %s\n", count[k], k)
	}
	return b.String()
}

// fieldKind generalizes a lost field: its kind of object, then its path
// with list indexes and label and annotation keys as [*]; resource names
// are kept.
func fieldKind(l importer.Loss) string {
	kind, _, _ := strings.Cut(l.Object, "/")
	if l.Field == "" {
		return kind + " (whole object)"
	}
	var b strings.Builder
	s := l.Field
	for len(s) > 0 {
		if s[0] == '[' {
			end := strings.IndexByte(s, ']')
			inner := s[1:end]
			if strings.Trim(inner, "0123456789") == "" || strings.HasSuffix(b.String(), "labels") || strings.HasSuffix(b.String(), "annotations") {
				b.WriteString("[*]")
			} else {
				b.WriteString("[" + inner + "]")
			}
			s = s[end+1:]
			continue
		}
		b.WriteByte(s[0])
		s = s[1:]
	}
	return kind + ": " + b.String()
}

// The README's example manifests: web.yaml imports without loss and
// round-trips; web-scheduled.yaml loses exactly its scheduler name and
// enableServiceLinks.
func TestExampleManifests(t *testing.T) {
	web, err := os.ReadFile("../../examples/manifests/web.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if res := roundTrip(t, web); len(res.Lost) != 0 {
		t.Errorf("web.yaml lost %v", res.Lost)
	}
	scheduled, err := os.ReadFile("../../examples/manifests/web-scheduled.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res := roundTrip(t, scheduled)
	var paths []string
	for _, l := range res.Lost {
		paths = append(paths, l.Path())
	}
	want := "Deployment/web: spec.template.spec.schedulerName,Deployment/web: spec.template.spec.enableServiceLinks"
	if strings.Join(paths, ",") != want {
		t.Errorf("web-scheduled.yaml lost %v, want %s", paths, want)
	}
}

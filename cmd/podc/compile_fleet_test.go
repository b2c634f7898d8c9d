package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

const badIntent = `{"name": "Bad_Name", "containers": [{"name": "web", "image": "nginx:1.27.3"}]}`

// fleetDir copies the examples into a directory with a refused intent
// and files that are not intents.
func fleetDir(t *testing.T) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	examples, err := filepath.Glob("../../examples/*.json")
	if err != nil || len(examples) < 3 {
		t.Fatalf("examples: %v", err)
	}
	var names []string
	for _, f := range examples {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, filepath.Base(f))
	}
	for name, text := range map[string]string{"bad.json": badIntent, "notes.txt": "not an intent", "sub/x.json": badIntent} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, names
}

// single is what podc compile writes for one file alone.
func single(t *testing.T, file string, args ...string) string {
	t.Helper()
	code, out, errs := run(t, "", append([]string{"compile", "-f", file}, args...)...)
	if code != 0 {
		t.Fatalf("%s: exit %d\n%s", file, code, errs)
	}
	return out
}

var summaryLine = regexp.MustCompile(`(?m)^podc compile: (\d+) intents: (\d+) compiled, (\d+) refused, (\d+) failed in \S+: \S+ per intent, \d+ at a time, each compile \S+ on average; policy bundle sha256:[0-9a-f]{64}$`)

func summaryCounts(t *testing.T, errs string) string {
	t.Helper()
	m := summaryLine.FindStringSubmatch(errs)
	if m == nil {
		t.Fatalf("no summary line on stderr:\n%s", errs)
	}
	return strings.Join(m[1:], " ")
}

// TestCompileFleetDirectoryToOutDir: every intent of a directory (not its
// subdirectories, not other files) is written to its own file, byte for
// byte what podc compile writes for that file alone; the refused one is
// named on stderr, writes nothing, and makes the exit code 1.
func TestCompileFleetDirectoryToOutDir(t *testing.T) {
	dir, names := fleetDir(t)
	out := filepath.Join(t.TempDir(), "rendered")
	code, stdout, errs := run(t, "", "compile", "-f", dir, "--out-dir", out, "--jobs", "3")
	if code != exitRefused {
		t.Fatalf("exit %d, want 1\n%s", code, errs)
	}
	if stdout != "" {
		t.Errorf("stdout with --out-dir: %q", stdout)
	}
	if got, want := summaryCounts(t, errs), fmt.Sprintf("%d %d 1 0", len(names)+1, len(names)); got != want {
		t.Errorf("summary counts %q, want %q", got, want)
	}
	bad := filepath.Join(dir, "bad.json")
	if !strings.Contains("\n"+errs, "\n"+bad+": refused: invalid intent (1 problems)\n"+bad+": name: ") {
		t.Errorf("the refusal is not named after its file:\n%s", errs)
	}
	files, _ := os.ReadDir(out)
	if len(files) != len(names) {
		t.Errorf("%d files written, want %d", len(files), len(names))
	}
	for _, name := range names {
		got, err := os.ReadFile(filepath.Join(out, strings.TrimSuffix(name, ".json")+".yaml"))
		if err != nil {
			t.Error(err)
			continue
		}
		if want := single(t, filepath.Join(dir, name)); string(got) != want {
			t.Errorf("%s differs from podc compile -f %s alone", name, name)
		}
	}
	// JSON files, with -o json, are what -o json writes alone.
	code, _, errs = run(t, "", "compile", "-f", filepath.Join(dir, "hello.json"), "-f", filepath.Join(dir, "checkout.json"), "--out-dir", out, "-o", "json")
	if code != 0 {
		t.Fatalf("-o json: exit %d\n%s", code, errs)
	}
	got, err := os.ReadFile(filepath.Join(out, "checkout.json"))
	if err != nil || string(got) != single(t, filepath.Join(dir, "checkout.json"), "-o", "json") {
		t.Errorf("checkout.json: %v\n%s", err, got)
	}
}

// TestCompileFleetStdoutInInputOrder: several -f values, compiled four at
// a time, come out in the order given, each after a comment naming its
// source, the same on every run.
func TestCompileFleetStdoutInInputOrder(t *testing.T) {
	dir, names := fleetDir(t)
	var args []string
	var want strings.Builder
	for range 3 {
		for _, name := range names {
			f := filepath.Join(dir, name)
			args = append(args, "-f", f)
			fmt.Fprintf(&want, "# source: %s\n%s", f, single(t, f))
		}
	}
	var first string
	for round := range 2 {
		code, stdout, errs := run(t, "", append([]string{"compile", "--jobs", "4"}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errs)
		}
		if stdout != want.String() {
			t.Fatalf("round %d: stdout is not each file's output in input order", round)
		}
		if got, wantCounts := summaryCounts(t, errs), fmt.Sprintf("%d %d 0 0", 3*len(names), 3*len(names)); got != wantCounts {
			t.Errorf("summary counts %q, want %q", got, wantCounts)
		}
		if strings.Contains(errs, "compiled for Kubernetes") {
			t.Errorf("a line per workload besides warnings:\n%s", errs)
		}
		if round == 0 {
			first = errs
		} else if stripTimes(errs) != stripTimes(first) {
			t.Errorf("stderr differs between runs:\n%s\n---\n%s", first, errs)
		}
	}
}

func stripTimes(s string) string { return summaryLine.ReplaceAllString(s, "SUMMARY") }

// TestCompileFleetStream: --stream reads each YAML document of standard
// input as an intent, named stdin#N; a refused document says where it
// starts, a document beyond --max-input-bytes fails alone, and -o json
// writes one line per workload.
func TestCompileFleetStream(t *testing.T) {
	hello, err := os.ReadFile("../../examples/hello.json")
	if err != nil {
		t.Fatal(err)
	}
	in := "# the fleet\n---\n" + string(hello) + "\n---\nname: b\ncontainers:\n  - name: web\n    imag: nginx:1.27.3\n" +
		"---\nname: big\n# " + strings.Repeat("x", 3000) + "\n" +
		"---\nname: d\nnamespace: shop\ncontainers:\n  - name: web\n    image: nginx:1.27.3\n"
	code, stdout, errs := run(t, in, "compile", "--stream", "-f", "-", "-o", "json", "--max-input-bytes", "2048")
	if code != exitUsage {
		t.Fatalf("exit %d, want 2 (a document too large)\n%s", code, errs)
	}
	start := strings.Count(in[:strings.Index(in, "name: b")], "\n") + 1
	for _, want := range []string{
		fmt.Sprintf("stdin#2: the document starts at line %d; the positions below are within it\n", start),
		"stdin#2: containers[0].imag: unknown field \"imag\" (at 4:5)\n",
		fmt.Sprintf("stdin#3: document 3 (line %d): more than --max-input-bytes 2048\n", start+5),
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if got := summaryCounts(t, errs); got != "4 2 1 1" {
		t.Errorf("summary counts %q, want 4 2 1 1", got)
	}
	var sources []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var w struct {
			Source    string           `json:"source"`
			Manifests []map[string]any `json:"manifests"`
		}
		if err := json.Unmarshal([]byte(line), &w); err != nil || len(w.Manifests) == 0 {
			t.Fatalf("not a JSON line with manifests: %v\n%s", err, line)
		}
		sources = append(sources, w.Source)
	}
	if strings.Join(sources, " ") != "stdin#1 stdin#4" {
		t.Errorf("sources %v", sources)
	}

	// Into a directory, stream documents are named after their workload.
	out := t.TempDir()
	if code, _, errs := run(t, in, "compile", "--stream", "-f", "-", "--out-dir", out); code != exitRefused {
		t.Fatalf("--out-dir: exit %d\n%s", code, errs)
	}
	for _, name := range []string{"hello.yaml", "shop.d.yaml", "shop.big.yaml"} {
		_, err := os.Stat(filepath.Join(out, name))
		if (name == "shop.big.yaml") != os.IsNotExist(err) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestCompileFleetFailuresDoNotStopTheRun: a missing file and two inputs
// that would write one file fail on their own (exit 2); the rest compile.
func TestCompileFleetFailuresDoNotStopTheRun(t *testing.T) {
	dir, _ := fleetDir(t)
	other := t.TempDir()
	data, _ := os.ReadFile("../../examples/hello.json")
	os.WriteFile(filepath.Join(other, "hello.yaml"), data, 0o644)
	out := t.TempDir()
	missing := filepath.Join(dir, "missing.json")
	code, _, errs := run(t, "", "compile", "-f", missing, "-f", filepath.Join(dir, "hello.json"), "-f", filepath.Join(other, "hello.yaml"),
		"-f", filepath.Join(dir, "checkout.json"), "--out-dir", out)
	if code != exitUsage {
		t.Fatalf("exit %d, want 2\n%s", code, errs)
	}
	for _, want := range []string{
		missing + ": stat " + missing + ": no such file or directory\n",
		filepath.Join(other, "hello.yaml") + ": --out-dir: hello.yaml is already written for " + filepath.Join(dir, "hello.json") + "\n",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if got := summaryCounts(t, errs); got != "4 2 0 2" {
		t.Errorf("summary counts %q, want 4 2 0 2", got)
	}
	if _, err := os.Stat(filepath.Join(out, "checkout.yaml")); err != nil {
		t.Errorf("the intent after the failures: %v", err)
	}
}

// TestCompileFleetSeveralDocumentsHint: without --stream a file of several
// documents is refused as before, with a hint.
func TestCompileFleetSeveralDocumentsHint(t *testing.T) {
	code, _, errs := run(t, "name: a\n---\nname: b\n", "compile", "-f", "-")
	if code != exitRefused || !strings.Contains(errs, "several YAML documents") || !strings.Contains(errs, "\nhint: podc compile --stream reads each document") {
		t.Errorf("exit %d\n%s", code, errs)
	}
}

func TestCompileFleetUsageErrors(t *testing.T) {
	empty := t.TempDir()
	for _, args := range [][]string{
		{"compile", "-f", "-", "-f", "-"},
		{"compile", "-f", empty},
		{"compile", "-f", "../../examples/hello.json", "-f", "../../examples/checkout.json", "--jobs", "0"},
		{"compile", "-f", ""},
	} {
		if code, out, errs := run(t, "", args...); code != exitUsage || out != "" {
			t.Errorf("podc %v: exit %d, stdout %q, want 2 and nothing\n%s", args, code, out, errs)
		}
	}
}

// TestCompileFleetReadsAheadBoundedly: while the first outcome is written,
// only a few documents of a long stream have been read: outcomes wait in
// a window of 2 x jobs, not all in memory.
func TestCompileFleetReadsAheadBoundedly(t *testing.T) {
	const docs = 300
	var in bytes.Buffer
	for i := range docs {
		fmt.Fprintf(&in, "---\nname: w%d\ncontainers:\n  - name: web\n    image: nginx:1.27.3\n# %s\n", i, strings.Repeat("p", 4000))
	}
	total := in.Len()
	src := &countingReader{r: &in}
	out := &firstWrite{read: src.read}
	code := Main([]string{"compile", "--stream", "-f", "-", "--jobs", "1"}, src, out, io.Discard)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if at := out.readAtFirst(); at == 0 || at > total/4 {
		t.Errorf("%d of %d bytes read when the first workload was written: the run reads too far ahead", at, total)
	}
	if n := strings.Count(out.String(), "# source: stdin#"); n != docs {
		t.Errorf("%d workloads written, want %d", n, docs)
	}
}

type countingReader struct {
	r  io.Reader
	mu sync.Mutex
	n  int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.mu.Lock()
	c.n += n
	c.mu.Unlock()
	return n, err
}

func (c *countingReader) read() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

type firstWrite struct {
	bytes.Buffer
	read  func() int
	mu    sync.Mutex
	first int
}

func (f *firstWrite) Write(p []byte) (int, error) {
	f.mu.Lock()
	if f.first == 0 {
		f.first = f.read()
	}
	f.mu.Unlock()
	return f.Buffer.Write(p)
}

func (f *firstWrite) readAtFirst() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.first
}

// TestCompileFleetUnitSurvivesAFault: a panic in one intent's compile (here
// an engine that is not there) fails that intent with exit 2 and a
// message, instead of the whole run.
func TestCompileFleetUnitSurvivesAFault(t *testing.T) {
	data, err := os.ReadFile("../../examples/hello.json")
	if err != nil {
		t.Fatal(err)
	}
	r := fleetOptions{maxInput: 1 << 20}.compileUnit(unit{source: "hello.json", data: data})
	if r.code != exitUsage || r.out != nil || !strings.Contains(string(r.messages), "podc compile: internal error: ") {
		t.Errorf("code %d, out %q, messages %q", r.code, r.out, r.messages)
	}
}

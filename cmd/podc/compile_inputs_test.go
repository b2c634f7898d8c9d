package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

func collect(t *testing.T, in string, limit int64) []document {
	t.Helper()
	var out []document
	if err := documents(strings.NewReader(in), limit, func(d document) bool { out = append(out, d); return true }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDocumentsSplitsAYAMLStream(t *testing.T) {
	in := "# fleet of two\n" + // 1
		"---\n" + // 2
		"name: a\n" + // 3
		"---   # the second\n" + // 4
		"\n" + // 5
		"name: b\n" + // 6
		"...\n" + // 7
		"--- {\"name\": \"c\"}\r\n" + // 8
		"---\n" + // 9
		"# nothing here\n" + // 10
		"%YAML 1.2\n" + // 11
		"---\n" + // 12
		"text: |\n" + // 13
		"  ---- not a marker\n" + // 14
		"----\n" + // 15
		"---x\n" // 16
	docs := collect(t, in, 1<<20)
	want := []struct {
		line int
		data string
	}{
		{3, "name: a\n"},
		{4, "      # the second\n\nname: b\n"},
		{8, "    {\"name\": \"c\"}\r\n"},
		{13, "text: |\n  ---- not a marker\n----\n---x\n"},
	}
	if len(docs) != len(want) {
		t.Fatalf("%d documents, want %d: %+v", len(docs), len(want), docs)
	}
	for i, w := range want {
		d := docs[i]
		if d.index != i+1 || d.line != w.line || string(d.data) != w.data || d.tooLarge {
			t.Errorf("document %d: index %d, line %d, %q; want line %d, %q", i+1, d.index, d.line, d.data, w.line, w.data)
		}
	}
}

func TestDocumentsWithoutMarkers(t *testing.T) {
	docs := collect(t, "name: a\ncontainers: []", 1<<20)
	if len(docs) != 1 || docs[0].line != 1 || string(docs[0].data) != "name: a\ncontainers: []" {
		t.Errorf("%+v", docs)
	}
	if docs := collect(t, "", 10); len(docs) != 0 {
		t.Errorf("empty stream: %+v", docs)
	}
	if docs := collect(t, "---\n# only\n---\n\n", 10); len(docs) != 0 {
		t.Errorf("comments only: %+v", docs)
	}
}

// TestDocumentsBoundsEachDocument: a document beyond the limit is
// reported without its text, a long line included, and the documents
// after it are read as usual.
func TestDocumentsBoundsEachDocument(t *testing.T) {
	in := "name: a\n---\nname: " + strings.Repeat("b", 300<<10) + "\nmore: x\n---\nname: c\n"
	docs := collect(t, in, 100)
	if len(docs) != 3 {
		t.Fatalf("%d documents: %+v", len(docs), docs)
	}
	if !docs[1].tooLarge || docs[1].data != nil || docs[1].line != 3 || docs[1].index != 2 {
		t.Errorf("the large document: %+v", docs[1])
	}
	if docs[0].tooLarge || docs[2].tooLarge || string(docs[2].data) != "name: c\n" || docs[2].line != 6 {
		t.Errorf("the others: %+v / %+v", docs[0], docs[2])
	}
	// A document of exactly the limit is kept.
	if docs := collect(t, "name: abc\n", 10); len(docs) != 1 || docs[0].tooLarge {
		t.Errorf("a document of the limit: %+v", docs)
	}
}

func TestDocumentsStopAndReadErrors(t *testing.T) {
	n := 0
	err := documents(strings.NewReader("a: 1\n---\nb: 2\n---\nc: 3\n"), 100, func(document) bool { n++; return n < 2 })
	if err != errStopped || n != 2 {
		t.Errorf("stop after 2: err %v, %d yielded", err, n)
	}
	err = documents(iotest.TimeoutReader(strings.NewReader(strings.Repeat("a: 1\n", 20000))), 1<<20, func(document) bool { return true })
	if err == nil {
		t.Error("a failing reader: no error")
	}
}

// TestInputsListsDirectoriesAndFiles: a directory gives its intent files
// sorted and not its subdirectories; the -f values keep their order.
func TestInputsListsDirectoriesAndFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.yaml", "a.json", "c.yml", "README.md", "sub/d.json"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("name: x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	inputs([]string{filepath.Join(dir, "sub", "d.json"), dir, filepath.Join(dir, "missing.json")}, false, nil, 100, func(u unit) bool {
		s := strings.TrimPrefix(u.source, dir+string(filepath.Separator))
		if u.err != nil {
			s += " (error)"
		}
		got = append(got, s+" -> "+u.outName)
		return true
	})
	want := []string{filepath.Join("sub", "d.json") + " -> d", "a.json -> a", "b.yaml -> b", "c.yml -> c", "missing.json (error) -> "}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

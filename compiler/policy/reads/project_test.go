package reads

import "testing"

func TestProject(t *testing.T) {
	src := []byte(`{"container":{"path":"containers[0]","image":"a:1","cpu":{"request":250,"limit":0},"ports":[{"path":"p","nodePort":1}],"sc":null,"s":"x\"}"},"pod":{"restartPolicy":"Always"},"params":{"nodePortMin":1}}`)
	rs := &Set{}
	rs.Add("container", "cpu", "request")
	rs.Add("container", "ports")
	rs.Add("container", "sc", "x")
	rs.Add("container", "s")
	rs.Add("pod")
	rs.Add("missing", "x")
	want := `{"container":{"cpu":{"request":250},"ports":[{"path":"p","nodePort":1}],"sc":null,"s":"x\"}"},"pod":{"restartPolicy":"Always"}}`
	idx, ok := NewIndex(src)
	if !ok {
		t.Fatal("the input did not index")
	}
	if got := idx.Project(nil, rs); string(got) != want {
		t.Errorf("project:\n got %s\nwant %s", got, want)
	}
	if got := idx.Project(nil, &Set{}); string(got) != "{}" {
		t.Errorf("empty read set: %s", got)
	}
	// The index is reused for the next input.
	if !idx.Reset([]byte(`{"pod":{"restartPolicy":"Never"},"container":{"cpu":{"request":1}}}`)) {
		t.Fatal("the second input did not index")
	}
	if got, want := string(idx.Project(nil, rs)), `{"pod":{"restartPolicy":"Never"},"container":{"cpu":{"request":1}}}`; got != want {
		t.Errorf("project after reset:\n got %s\nwant %s", got, want)
	}
	for _, bad := range []string{`{"a":`, `{"a":1`, `[1]`, `{"a":"x}`, `{"a":1}x`, `{"a":{"b":{"c":1}`} {
		if _, ok := NewIndex([]byte(bad)); ok {
			t.Errorf("%s indexed", bad)
		}
		// An index that failed half way through reads the next input whole.
		if idx.Reset([]byte(bad)) {
			t.Errorf("%s indexed on reset", bad)
		}
		if !idx.Reset(src) {
			t.Fatalf("the first input did not index after %s", bad)
		}
		if got := idx.Project(nil, rs); string(got) != want {
			t.Errorf("project after %s:\n got %s\nwant %s", bad, got, want)
		}
	}
}

// Strings end at the first quote not escaped by an odd number of
// backslashes; a projection stops at the last member its set names
// without losing any.
func TestProjectStringsAndOrder(t *testing.T) {
	src := []byte(`{"a":"x\\","b":"y\\\"z","c":{"d":"\"","e":[1,"]"]},"f":1,"g":2}`)
	idx, ok := NewIndex(src)
	if !ok {
		t.Fatal("the input did not index")
	}
	for _, tc := range []struct {
		paths [][]string
		want  string
	}{
		{[][]string{{"a"}}, `{"a":"x\\"}`},
		{[][]string{{"b"}, {"f"}}, `{"b":"y\\\"z","f":1}`},
		{[][]string{{"g"}, {"a"}}, `{"a":"x\\","g":2}`},
		{[][]string{{"c", "e"}, {"f"}}, `{"c":{"e":[1,"]"]},"f":1}`},
		{[][]string{{"c", "d"}, {"nope"}}, `{"c":{"d":"\""}}`},
	} {
		rs := &Set{}
		for _, p := range tc.paths {
			rs.Add(p...)
		}
		if got := idx.Project(nil, rs); string(got) != tc.want {
			t.Errorf("%v:\n got %s\nwant %s", tc.paths, got, tc.want)
		}
	}
	for _, bad := range []string{`{"a":"x\"}`, `{"a":"x\\\"}`} {
		if _, ok := NewIndex([]byte(bad)); ok {
			t.Errorf("%s indexed: its string never ends", bad)
		}
	}
}

func TestSetAdd(t *testing.T) {
	s := &Set{}
	s.Add("a", "b")
	s.Add("a", "c", "d")
	if got, want := s.String(), "{a:{b:* c:{d:*}}}"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	// A whole value absorbs the paths below it.
	s.Add("a")
	s.Add("a", "e")
	if got, want := s.String(), "{a:*}"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	var none *Set
	if none.String() != "-" {
		t.Error("a nil set renders as -")
	}
}

// ProjectInput appends what NewIndex then Project appends, and parses
// what NewIndex parses: for well-formed inputs onto many sets, for every
// prefix of them and for every input with one byte changed.
func TestProjectInputIsIndexThenProject(t *testing.T) {
	inputs := []string{
		`{"container":{"path":"containers[0]","image":"a:1","cpu":{"request":250,"limit":0},"ports":[{"path":"p","nodePort":1}],"sc":null,"s":"x\"}"},"pod":{"restartPolicy":"Always"},"params":{"nodePortMin":1}}`,
		`{"a":"x\\","b":"y\\\"z","c":{"d":"\"","e":[1,"]"]},"f":1,"g":2,"h":{"i":{"j":{}},"k":{}}}`,
		`{}`,
		`{"a":{"b":1},"a":{"c":2}}`, // a key twice: as the index has it
	}
	var sets []*Set
	for _, paths := range [][][]string{
		{}, {{"container"}}, {{"container", "cpu", "request"}, {"container", "ports"}, {"pod"}, {"missing", "x"}},
		{{"a"}}, {{"a", "b"}}, {{"a", "c"}, {"g"}}, {{"c", "e"}, {"f"}}, {{"c", "d"}, {"h", "i", "j"}, {"h", "k", "x"}},
		{{"params", "nodePortMin"}, {"container", "sc", "x"}, {"container", "s"}},
	} {
		rs := &Set{}
		for _, p := range paths {
			rs.Add(p...)
		}
		sets = append(sets, rs)
	}
	check := func(src []byte) {
		t.Helper()
		idx, indexed := NewIndex(src)
		for _, rs := range sets {
			got, ok := ProjectInput([]byte("prefix:"), src, rs)
			if ok != indexed {
				t.Fatalf("%q onto %s: parsed %v, the index %v", src, rs, ok, indexed)
			}
			want := "prefix:"
			if indexed {
				want = string(idx.Project([]byte(want), rs))
			}
			if string(got) != want {
				t.Fatalf("%q onto %s:\n got %s\nwant %s", src, rs, got, want)
			}
		}
	}
	for _, in := range inputs {
		src := []byte(in)
		check(src)
		for n := range len(src) {
			check(src[:n])
			for _, b := range []byte(`{}[]":,\x`) {
				changed := []byte(in)
				changed[n] = b
				check(changed)
			}
		}
	}
}

package render

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

var tricky = []string{
	"", " ", "x ", " x", "yes", "No", "on", "OFF", "y", "n", "true", "False", "null", "~", "Null",
	"1", "-1", "+1", ".5", "1e3", "1E-3", "0x1F", "0o17", "0b101", "017", "1_000", "1:20", "1:20:30.5",
	".inf", "-.Inf", ".NaN", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
	"-", "- a", "--listen=:8080", "a: b", "a:b", "x:", ":x", "a #b", "a#b", "#x", "@x", "`x", "'x", "x'y",
	"\"x", "x\"y", "back\\slash", "*a", "&a", "!tag", "%x", "|", ">", "[a]", "{a}", ",a", "a,b", "?x",
	"tab\there", "new\nline", "cr\rx", "ünïcödé", "bell\a", "del\x7f",
	"1.4.2", "250m", "512Mi", "nginx:1.27.3", "registry.example.com/shop/checkout@sha256:4c1e",
	"app.kubernetes.io/name", "/healthz", "sh -c 'echo hi'", "a: ", "key=value",
}

// TestScalarsRoundTrip writes every tricky string as a mapping value, a key
// and a list item, reads the YAML back with a YAML 1.1 reader and requires
// the same strings.
func TestScalarsRoundTrip(t *testing.T) {
	for _, s := range tricky {
		in := map[string]any{"v": s, "list": []any{s}}
		if s != "" {
			in[s+"k"] = "key"
		}
		var b bytes.Buffer
		writeYAML(&b, toObject(in).obj)
		var out map[string]any
		if err := yaml.Unmarshal(b.Bytes(), &out); err != nil {
			t.Errorf("%q: output does not parse: %v\n%s", s, err, b.String())
			continue
		}
		if out["v"] != s {
			t.Errorf("%q read back as %#v from:\n%s", s, out["v"], b.String())
		}
		if l, ok := out["list"].([]any); !ok || len(l) != 1 || l[0] != s {
			t.Errorf("%q in a list read back as %#v", s, out["list"])
		}
		if s != "" && out[s+"k"] != "key" {
			t.Errorf("key %q not read back:\n%s", s+"k", b.String())
		}
	}
}

// TestTreesRoundTrip writes random nested trees as YAML and JSON and reads
// both back to the same tree.
func TestTreesRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 300; i++ {
		tree := randomMap(r, 0)
		want, _ := json.Marshal(tree)

		var y bytes.Buffer
		writeYAML(&y, toObject(tree).obj)
		got, err := yaml.YAMLToJSON(y.Bytes())
		if err != nil {
			t.Fatalf("YAML does not parse: %v\n%s", err, y.String())
		}
		if !jsonEqual(t, got, want) {
			t.Fatalf("YAML round trip differs:\n%s\ngot  %s\nwant %s", y.String(), got, want)
		}

		var j bytes.Buffer
		writeJSON(&j, toObject(tree), 0)
		if !jsonEqual(t, j.Bytes(), want) {
			t.Fatalf("JSON round trip differs:\n%s\nwant %s", j.String(), want)
		}
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

func randomMap(r *rand.Rand, depth int) map[string]any {
	m := map[string]any{}
	for range r.IntN(4) + 1 {
		m[tricky[r.IntN(len(tricky)-1)+1]+"k"] = randomValue(r, depth+1)
	}
	return m
}

func randomValue(r *rand.Rand, depth int) any {
	n := 6
	if depth > 3 {
		n = 4
	}
	switch r.IntN(n) {
	case 0:
		return tricky[r.IntN(len(tricky))]
	case 1:
		return json.Number([]string{"0", "3", "-7", "65535", "9007199254740993"}[r.IntN(5)])
	case 2:
		return r.IntN(2) == 0
	case 3:
		return tricky[r.IntN(len(tricky))]
	case 4:
		return randomMap(r, depth)
	default:
		var l []any
		for range r.IntN(3) {
			l = append(l, randomValue(r, depth+1))
		}
		if l == nil {
			l = []any{}
		}
		return l
	}
}

// TestParseTreeMatchesEncodingJSON reads random trees and tricky strings
// with parseTree and with encoding/json and requires the same values.
func TestParseTreeMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	docs := [][]byte{[]byte(`{"a":"\u003c\u2028\ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t","n":-1.5e+3,"l":[],"m":{},"z":null,"t":true,"f":false}`)}
	for i := 0; i < 300; i++ {
		raw, err := json.Marshal(randomMap(r, 0))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, raw)
	}
	for _, raw := range docs {
		got, err := parseTree(raw)
		if err != nil {
			t.Fatalf("parseTree(%s): %v", raw, err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		g, _ := json.Marshal(toMap(got))
		w, _ := json.Marshal(want)
		if !bytes.Equal(g, w) {
			t.Fatalf("parseTree(%s)\ngot  %s\nwant %s", raw, g, w)
		}
	}
	for _, bad := range []string{``, `{`, `{"a"}`, `{"a":}`, `[1,]`, `"abc`, `{"a":1}x`, `tru`, `{"a":"\u12"}`, `-`, `{"a":"\q"}`} {
		if _, err := parseTree([]byte(bad)); err == nil {
			t.Errorf("parseTree(%q) accepted malformed JSON", bad)
		}
	}
}

// toObject turns decoded JSON (maps, slices, strings, json.Number, bools,
// nil) into a tree of nodes, recursively.
func toObject(v any) node {
	switch t := v.(type) {
	case map[string]any:
		o := object{}
		for k, e := range t {
			o = append(o, member{k, toObject(e)})
		}
		slices.SortFunc(o, func(a, b member) int { return strings.Compare(a.key, b.key) })
		return node{kind: kindObject, obj: o}
	case []any:
		out := make([]node, len(t))
		for i, e := range t {
			out[i] = toObject(e)
		}
		return node{kind: kindArray, arr: out}
	case string:
		return node{kind: kindString, text: t}
	case json.Number:
		return node{kind: kindNumber, text: string(t)}
	case bool:
		return node{kind: kindBool, b: t}
	}
	return node{}
}

// toMap turns a tree of nodes into decoded JSON, recursively.
func toMap(v node) any {
	switch v.kind {
	case kindObject:
		m := map[string]any{}
		for _, e := range v.obj {
			m[e.key] = toMap(e.val)
		}
		return m
	case kindArray:
		out := make([]any, len(v.arr))
		for i, e := range v.arr {
			out[i] = toMap(e)
		}
		return out
	case kindString:
		return v.text
	case kindNumber:
		return json.Number(v.text)
	case kindBool:
		return v.b
	}
	return nil
}

// TestMayNotBeStringAgrees checks the quick test against the regular
// expression it stands in front of: whenever it says notString cannot
// match, notString does not match.
func TestMayNotBeStringAgrees(t *testing.T) {
	const alphabet = "0123456789abcdefxoinINFAaNmMiGkKTtZz_.:+- "
	r := rand.New(rand.NewPCG(3, 4))
	strs := append([]string{}, tricky...)
	strs = append(strs, "2001-12-14t21:59:43.10-05:00", "2002-12-14", "1_000", "0x1F", "0o17", "0b101", "190:20:30.15", "-.inf", ".NaN", "1e3", "100m", "128Mi", "0.5")
	for range 200000 {
		b := make([]byte, 1+r.IntN(12))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		strs = append(strs, string(b))
	}
	for _, s := range strs {
		if !mayNotBeString(s) && notString.MatchString(s) {
			t.Errorf("%q: the quick test says a string, the expression does not", s)
		}
	}
}

package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/randintent"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/exampletest"
)

// encodedInputs are the four inputs the stages encode; every in* type is
// reached from them.
var encodedInputs = []reflect.Type{
	reflect.TypeFor[inWholeIntent](),
	reflect.TypeFor[inEachContainer](),
	reflect.TypeFor[inWholeManifests](),
	reflect.TypeFor[inEachManifestContainer](),
}

// appendRoot writes the input *v (v a pointer to one of encodedInputs) with
// the appenders, as one input of w.
func appendRoot(w *inputWriter, v any) ([]byte, error) {
	start := w.begin()
	switch v := v.(type) {
	case *inWholeIntent:
		w.appendWholeIntent(v)
	case *inEachContainer:
		w.appendEachContainer(v)
	case *inWholeManifests:
		w.appendWholeManifests(v)
	case *inEachManifestContainer:
		w.appendEachManifestContainer(v)
	default:
		panic(fmt.Sprintf("not an input: %T", v))
	}
	return w.end(start)
}

// equalMarshal fails t unless got is what encoding/json.Marshal gives
// for v.
func equalMarshal(t *testing.T, what string, got []byte, v any) {
	t.Helper()
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: json.Marshal: %v", what, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: the appenders differ from encoding/json at byte %d\n got: %s\nwant: %s", what, firstDiff(got, want), got, want)
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// The four inputs of every example and of many random intents, written by
// the stages' own input functions into one writer (so the buffer grows
// under inputs already returned), are byte for byte what encoding/json
// gives for the same values.
func TestInputsEncodeAsEncodingJSON(t *testing.T) {
	b, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	type named struct {
		name string
		wi   *podcv1.WorkloadIntent
		tv   target.Version
	}
	var intents []named
	files, err := filepath.Glob("../../examples/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		wi, err := intent.Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		intents = append(intents, named{filepath.Base(f), wi, target.Default})
	}
	n := 300
	if testing.Short() {
		n = 50
	}
	versions := target.Newest - target.Oldest + 1
	for i := range n {
		tv := target.Version{Minor: target.Oldest + i%versions}
		wi := randintent.NewWithOptions(int64(i)*104_729+11, randintent.Options{Target: tv}).Next()
		intents = append(intents, named{fmt.Sprintf("random intent %d", i), wi, tv})
	}

	w := &inputWriter{}
	manifests := 0
	for k, c := range intents {
		w.buf = w.buf[:0]
		profile := "baseline"
		if k%2 == 1 {
			profile = "restricted"
		}
		params := inParams{Profile: profile, NodePortMin: intent.DefaultNodePorts.Min, NodePortMax: intent.DefaultNodePorts.Max}

		in := flattenIntent(c.wi, c.tv)
		whole, err := wholeIntentInput(w, in, params)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		each, err := containerInputs(w, in, params)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		equalMarshal(t, c.name+": whole intent", whole, inWholeIntent{in, params})
		if len(each) != len(in.Containers) || len(in.Containers) == 0 {
			t.Fatalf("%s: %d container inputs for %d containers", c.name, len(each), len(in.Containers))
		}
		sc := &in.SecurityContext
		pod := inPod{Controller: in.Controller, RestartPolicy: in.RestartPolicy, SecurityContext: inPodContainer{
			RunAsNonRoot: sc.RunAsNonRoot, RunAsUser: sc.RunAsUser, RunAsGroup: sc.RunAsGroup, SeccompProfile: sc.SeccompProfile,
		}, Resources: in.Resources}
		for i := range in.Containers {
			equalMarshal(t, fmt.Sprintf("%s: container %d", c.name, i), each[i], inEachContainer{&in.Containers[i], pod, params})
		}

		// The manifests are compiled from the intent with the profile's
		// defaults, as the engine compiles them.
		ir, err := b.EvaluateIntent(context.Background(), c.wi, Params{Profile: profile, Target: c.tv})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		out, err := compile.Workload(ir.Intent, compile.Options{Target: c.tv, Defaults: ir.Defaults})
		if err != nil {
			t.Fatalf("%s: compile: %v", c.name, err)
		}
		m, err := flattenManifests(out.Objects(), out.Sources, true)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		wholeM, err := wholeManifestInput(w, m, params)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		eachM, err := manifestContainerInputs(w, m, params)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		equalMarshal(t, c.name+": whole manifests", wholeM, inWholeManifests{m, params})
		// The workload alone, as flattened for a profile with no forms on
		// the whole manifests, gives the same per-container inputs.
		alone, err := flattenManifests(out.Objects(), out.Sources, false)
		if err != nil {
			t.Fatalf("%s: the workload alone: %v", c.name, err)
		}
		eachAlone, err := manifestContainerInputs(w, alone, params)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if fmt.Sprintf("%q", eachAlone) != fmt.Sprintf("%q", eachM) {
			t.Fatalf("%s: the workload alone gives other container inputs:\n%q\n%q", c.name, eachAlone, eachM)
		}
		wl := &m.Workload
		ref := inWorkloadRef{Kind: wl.Kind, Name: wl.Name, Ref: wl.Ref, PodSpecPath: wl.PodSpecPath}
		if len(eachM) != len(wl.Containers) {
			t.Fatalf("%s: %d manifest container inputs for %d containers", c.name, len(eachM), len(wl.Containers))
		}
		for i := range wl.Containers {
			equalMarshal(t, fmt.Sprintf("%s: manifest container %d", c.name, i), eachM[i], inEachManifestContainer{&wl.Containers[i], ref, params})
		}
		// The intent's inputs were not moved or overwritten by the ones
		// written after them.
		equalMarshal(t, c.name+": whole intent, after the manifests", whole, inWholeIntent{in, params})
		manifests++
	}
	t.Logf("%d intents and their manifests", manifests)
}

// filler fills values of the in* types through reflection, so that no
// field of any of them is left out by the values it makes.
type filler struct {
	r *rand.Rand
	// full sets every field: non-zero scalars, non-nil pointers, slices
	// and maps with several elements. Otherwise each field is zero, nil,
	// empty or set at random.
	full bool
	n    int // numbers every value it makes, so no two are alike
	seen map[reflect.Type]bool
}

// awkward strings hold what encoding/json escapes or replaces.
var awkward = []string{
	`quote " and backslash \ here`,
	"<script>&amp;</script>",
	"controls \x00\x01\x07\x1f \b\f\n\r\t and DEL \x7f",
	"separators \u2028 and \u2029",
	"invalid UTF-8 \xff\xfe, cut \xe2\x82 and surrogate \xed\xa0\x80",
	"plain ascii/path[0].field",
	"non-ASCII é, 日本, 🙂",
	"",
}

// numbers are valid JSON numbers in many forms; "" writes as 0.
var numbers = []json.Number{"0", "1500", "-3.25", "0.5", "1e400", "2.5E+10", "7e-3", "123456789012345678901234567890", ""}

func (f *filler) chance() bool { return f.full || f.r.Intn(4) != 0 }

func (f *filler) fill(t *testing.T, v reflect.Value, where string) {
	f.n++
	switch {
	case v.Type() == reflect.TypeFor[json.Number]():
		if f.chance() {
			v.SetString(string(numbers[f.n%len(numbers)]))
		}
		return
	}
	switch v.Kind() {
	case reflect.String:
		if f.chance() {
			v.SetString(fmt.Sprintf("%s#%d %s", where, f.n, awkward[f.r.Intn(len(awkward))]))
		}
	case reflect.Bool:
		v.SetBool(f.full || f.r.Intn(2) == 0)
	case reflect.Int, reflect.Int32, reflect.Int64:
		if f.chance() {
			x := int64(f.n) * 7_919
			if f.n%2 == 1 {
				x = -x
			}
			if v.Kind() == reflect.Int64 && f.n%3 == 0 {
				x = math.MaxInt64 - int64(f.n)
			}
			if v.Kind() == reflect.Int32 && f.n%5 == 0 {
				x = math.MinInt32 + int64(f.n)
			}
			v.SetInt(x)
		}
	case reflect.Pointer:
		if f.chance() {
			p := reflect.New(v.Type().Elem())
			f.fill(t, p.Elem(), where)
			v.Set(p)
		}
	case reflect.Struct:
		f.seen[v.Type()] = true
		for i := range v.NumField() {
			sf := v.Type().Field(i)
			f.fill(t, v.Field(i), where+"."+sf.Name)
		}
	case reflect.Slice:
		n := 3
		if !f.full {
			n = f.r.Intn(4) - 1 // -1 for nil
		}
		if n < 0 {
			return
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			f.fill(t, s.Index(i), fmt.Sprintf("%s[%d]", where, i))
		}
		v.Set(s)
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			t.Fatalf("%s: a map keyed by %s: teach the appenders and this test", where, v.Type().Key())
		}
		n := 4
		if !f.full {
			n = f.r.Intn(5) - 1 // -1 for nil
		}
		if n < 0 {
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), n)
		for i := range n {
			k := reflect.New(v.Type().Key()).Elem()
			f.fill(t, k, where+" key")
			e := reflect.New(v.Type().Elem()).Elem()
			f.fill(t, e, fmt.Sprintf("%s[%d]", where, i))
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	default:
		t.Fatalf("%s: a field of kind %s: teach the appenders and this test", where, v.Kind())
	}
}

// Every field of every in* type, filled through reflection (so a field
// added later is filled too) with strings that need escaping, numbers of
// every size, maps with several keys, nested pointers set or nil and
// slices nil, empty or not, encodes as encoding/json encodes it.
func TestEveryInputFieldEncodesAsEncodingJSON(t *testing.T) {
	f := &filler{r: rand.New(rand.NewSource(1)), seen: map[reflect.Type]bool{}}
	w := &inputWriter{}
	for round := range 400 {
		f.full = round == 0
		for _, root := range encodedInputs {
			v := reflect.New(root)
			f.fill(t, v.Elem(), root.Name())
			w.buf = w.buf[:0]
			got, err := appendRoot(w, v.Interface())
			if err != nil {
				t.Fatalf("round %d, %s: %v", round, root.Name(), err)
			}
			equalMarshal(t, fmt.Sprintf("round %d, %s", round, root.Name()), got, v.Interface())
		}
	}

	// The roots reach every in* struct type the package declares, so the
	// rounds above filled each of them.
	declared := declaredInputTypes(t)
	if len(declared) < 40 {
		t.Fatalf("found only %d in* types: %v", len(declared), declared)
	}
	filled := map[string]bool{}
	for tp := range f.seen {
		filled[tp.Name()] = true
	}
	for _, name := range declared {
		if !filled[name] {
			t.Errorf("type %s is not reached from the inputs' roots: add its input to encodedInputs and appendRoot", name)
		}
	}
}

// declaredInputTypes lists the struct types named in* that the package's
// own (non-test) files declare.
func declaredInputTypes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			if _, isStruct := ts.Type.(*ast.StructType); isStruct && len(ts.Name.Name) > 2 &&
				strings.HasPrefix(ts.Name.Name, "in") && ts.Name.Name[2] >= 'A' && ts.Name.Name[2] <= 'Z' {
				names = append(names, ts.Name.Name)
			}
			return true
		})
	}
	return names
}

// A json.Number is written as it is when it is a number ("" as 0), as
// encoding/json writes it; one that is not a number makes the input an
// error, as it makes json.Marshal's, and the writer's next input is
// unaffected.
func TestInputNumbers(t *testing.T) {
	cases := []string{
		"", "0", "-0", "7", "-12", "1500", "0.5", "-3.25", "1e400", "1E+5", "2.5e-3", "123456789012345678901234567890",
		"-", "01", "1.", ".5", "1e", "1e+", "1e-", "+1", "0x10", "1_000", "NaN", " 1", "1 ", "1.5.2", "1e5x", "--1", "１",
	}
	w := &inputWriter{}
	for _, s := range cases {
		v := &inEachContainer{Container: &inContainer{CPU: inAmount{Request: json.Number(s), Limit: "2"}}}
		want, wantErr := json.Marshal(v)
		w.buf = append(w.buf[:0], "kept"...)
		got, err := appendRoot(w, v)
		if (err != nil) != (wantErr != nil) {
			t.Errorf("%q: error %v, encoding/json's %v", s, err, wantErr)
			continue
		}
		if err != nil {
			if string(w.buf) != "kept" {
				t.Errorf("%q: the refused input was left in the buffer: %q", s, w.buf)
			}
			if err.Error() != wantErr.Error() {
				t.Errorf("%q: error %q, encoding/json's %q", s, err, wantErr)
			}
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%q:\n got: %s\nwant: %s", s, got, want)
		}
	}
	// After a refused input, the next one is written.
	v := &inEachContainer{Container: &inContainer{CPU: inAmount{Request: "x"}}}
	if _, err := appendRoot(w, v); err == nil {
		t.Fatal("an invalid number was written")
	}
	v.Container.CPU.Request = "250"
	got, err := appendRoot(w, v)
	if err != nil {
		t.Fatalf("the input after a refused one: %v", err)
	}
	equalMarshal(t, "the input after a refused one", got, v)
}

// Once its buffer has grown, the writer writes each input without
// allocating: no reflection, no per-map or per-entry garbage.
func TestInputWritersDoNotAllocate(t *testing.T) {
	wi := exampletest.Intent(t, "checkout.json")
	wi.PodLabels = map[string]string{"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": "6", "g": "7", "h": "8", "i": "9", "j": "10", "k": "11", "l": "12", "m": "13", "n": "14"}
	in := flattenIntent(wi, target.Default)
	out, err := compile.Workload(wi, compile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := flattenManifests(out.Objects(), out.Sources, true)
	if err != nil {
		t.Fatal(err)
	}
	p := inParams{Profile: "restricted", NodePortMin: 30000, NodePortMax: 32767}
	ref := inWorkloadRef{Kind: m.Workload.Kind, Name: m.Workload.Name, Ref: m.Workload.Ref, PodSpecPath: m.Workload.PodSpecPath}
	w := &inputWriter{}
	write := func() {
		w.buf = w.buf[:0]
		if _, err := wholeIntentInput(w, in, p); err != nil {
			t.Fatal(err)
		}
		for i := range in.Containers {
			w.appendEachContainer(&inEachContainer{&in.Containers[i], inPod{Controller: in.Controller}, p})
		}
		if _, err := wholeManifestInput(w, m, p); err != nil {
			t.Fatal(err)
		}
		for i := range m.Workload.Containers {
			w.appendEachManifestContainer(&inEachManifestContainer{&m.Workload.Containers[i], ref, p})
		}
	}
	write()
	if allocs := testing.AllocsPerRun(100, write); allocs != 0 {
		t.Errorf("writing the inputs allocates %v times", allocs)
	}
}

// BenchmarkInputs writes the inputs of both policy stages for
// examples/checkout.json (four containers) with the appenders, and with
// encoding/json for comparison.
func BenchmarkInputs(b *testing.B) {
	wi := exampletest.Intent(b, "checkout.json")
	in := flattenIntent(wi, target.Default)
	out, err := compile.Workload(wi, compile.Options{})
	if err != nil {
		b.Fatal(err)
	}
	m, err := flattenManifests(out.Objects(), out.Sources, true)
	if err != nil {
		b.Fatal(err)
	}
	p := inParams{Profile: "restricted", NodePortMin: 30000, NodePortMax: 32767}
	b.Run("appenders", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			w := getInputWriter()
			for _, err := range []error{
				second(wholeIntentInput(w, in, p)), second(containerInputs(w, in, p)),
				second(wholeManifestInput(w, m, p)), second(manifestContainerInputs(w, m, p)),
			} {
				if err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(len(w.buf)))
			w.put()
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		ref := inWorkloadRef{Kind: m.Workload.Kind, Name: m.Workload.Name, Ref: m.Workload.Ref, PodSpecPath: m.Workload.PodSpecPath}
		sc := &in.SecurityContext
		pod := inPod{Controller: in.Controller, RestartPolicy: in.RestartPolicy, SecurityContext: inPodContainer{
			RunAsNonRoot: sc.RunAsNonRoot, RunAsUser: sc.RunAsUser, RunAsGroup: sc.RunAsGroup, SeccompProfile: sc.SeccompProfile,
		}, Resources: in.Resources}
		encode := func(v any) {
			if err := enc.Encode(v); err != nil {
				b.Fatal(err)
			}
		}
		for b.Loop() {
			buf.Reset()
			encode(inWholeIntent{in, p})
			for i := range in.Containers {
				encode(inEachContainer{&in.Containers[i], pod, p})
			}
			encode(inWholeManifests{m, p})
			for i := range m.Workload.Containers {
				encode(inEachManifestContainer{&m.Workload.Containers[i], ref, p})
			}
			b.SetBytes(int64(buf.Len()))
		}
	})
}

func second[T any](_ T, err error) error { return err }

package compiler_test

import (
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	yaml "go.yaml.in/yaml/v4"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/randintent"
	"github.com/podc-dev/podc/compiler/render"
	"github.com/podc-dev/podc/compiler/target"
)

// fuzzEngine is shared by every fuzz input of a process: building the
// policy bundle once keeps each input cheap.
var (
	fuzzEngineOnce sync.Once
	fuzzEngineVal  *compiler.Engine
)

func fuzzEngine(t testing.TB) *compiler.Engine {
	fuzzEngineOnce.Do(func() { fuzzEngineVal = newEngine(t, intent.DefaultNodePorts) })
	return fuzzEngineVal
}

// examples returns the example intents, as bytes.
func examples(f *testing.F) [][]byte {
	files, err := filepath.Glob(filepath.Join("..", "examples", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no examples: %v", err)
	}
	var out [][]byte
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzDecodeCompile feeds arbitrary bytes to intent.Decode and the engine:
// the outcome is valid manifests or a *diag.Error of kind Invalid or Denied
// — never a panic, never invalid output, never an internal error.
func FuzzDecodeCompile(f *testing.F) {
	for _, b := range examples(f) {
		f.Add(b)
	}
	for i := range 8 {
		b, err := protojson.Marshal(randintent.New(int64(i)).Next())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("name: hello\ncontainers:\n- name: web\n  image: nginx:1.27.3\n"))
	e := fuzzEngine(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		wi, err := intent.Decode(data)
		if err != nil {
			if de, ok := diag.AsError(err); !ok || de.Kind != diag.Invalid {
				t.Fatalf("Decode error is not an Invalid *diag.Error: %v", err)
			}
			return
		}
		if v := judge(e, run{Intent: wi, Target: target.Default, NodePorts: intent.DefaultNodePorts}); v.bad() {
			t.Fatal(v.Problem)
		}
	})
}

// FuzzDecodeLimits feeds arbitrary bytes to intent.Decode and
// intent.CheckLimits, the first things a request meets. A refusal is one
// Invalid finding of the intent stage whose path and message stay short
// (no echo of long input); the limits' findings are denials of the intent
// stage, at most 101 of them. What decodes decodes again to an equal
// intent from its protojson form and from that form written as YAML, and
// an intent within the limits can be checked.
func FuzzDecodeLimits(f *testing.F) {
	for _, b := range examples(f) {
		f.Add(b)
	}
	f.Add([]byte("name: hello\ncontainers:\n- name: web\n  image: nginx:1.27.3\n"))
	f.Add([]byte("name: a\nname: b\n"))
	f.Add([]byte("name: a\n---\nname: b\n"))
	f.Add([]byte("a0: &a [x, x]\na1: [*a, *a, *a]\n"))
	f.Add([]byte(`{"containers": [{"resources": {"cpu": {"limit": "1e-999999999"}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		wi, err := intent.Decode(data)
		if err != nil {
			de, ok := diag.AsError(err)
			if !ok || de.Kind != diag.Invalid || len(de.Findings) != 1 {
				t.Fatalf("Decode error is not one Invalid finding: %v", err)
			}
			if f := de.Findings[0]; f.Stage != diag.StageIntent || len(f.Message) > 400 || len(f.Field) > 400 {
				t.Fatalf("finding of stage %s, a %d-byte message at a %d-byte path", f.Stage, len(f.Message), len(f.Field))
			}
			return
		}
		js, err := protojson.Marshal(wi)
		if err != nil {
			t.Fatalf("a decoded intent does not marshal: %v", err)
		}
		again, err := intent.Decode(js)
		if err != nil || !proto.Equal(wi, again) {
			t.Fatalf("protojson form decodes differently (%v):\n%s", err, js)
		}
		var doc any
		if err := json.Unmarshal(js, &doc); err != nil {
			t.Fatal(err)
		}
		y, err := yaml.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := intent.Decode(y); err != nil || !proto.Equal(wi, again) {
			t.Fatalf("YAML form decodes differently (%v):\n%s", err, y)
		}
		fs := intent.CheckLimits(wi, intent.Limits{})
		if len(fs) > 101 {
			t.Fatalf("%d findings", len(fs))
		}
		for _, f := range fs {
			if f.Severity != diag.Deny || f.Stage != diag.StageIntent || len(f.Message) > 400 || len(f.Field) > 400 {
				t.Fatalf("limits finding %s/%s, a %d-byte message at a %d-byte path", f.Severity, f.Stage, len(f.Message), len(f.Field))
			}
		}
		if len(fs) == 0 {
			intent.Check(wi, intent.Options{})
		}
	})
}

// FuzzCompile starts from an example or a random valid intent and mutates
// its fields (values from a pool of edge cases, dropped and duplicated list
// elements, unknown enum numbers), then compiles for a fuzzed target
// version. Mutants may be malformed; the engine must still refuse them as
// Invalid or Denied or compile them into valid manifests.
func FuzzCompile(f *testing.F) {
	for i, b := range examples(f) {
		f.Add(b, int64(i), uint8(target.Newest), uint8(3))
	}
	for i := range 8 {
		f.Add([]byte{}, int64(100+i), uint8(target.Oldest+i), uint8(i))
	}
	e := fuzzEngine(f)
	f.Fuzz(func(t *testing.T, base []byte, seed int64, minor, edits uint8) {
		tv := target.Version{Minor: target.Oldest + int(minor)%(target.Newest-target.Oldest+1)}
		r := rand.New(rand.NewSource(seed))
		wi, err := intent.Decode(base)
		if err != nil {
			wi = randintent.GenerateFor(r, randintent.Options{Target: tv})
		}
		for range int(edits % 8) {
			mutate(r, wi.ProtoReflect())
		}
		if v := judge(e, run{Intent: wi, Target: tv, NodePorts: intent.DefaultNodePorts, Format: render.Format(seed & 1)}); v.bad() {
			js, _ := protojson.Marshal(wi)
			t.Fatalf("target %s: %s\nintent: %s", tv, v.Problem, js)
		}
	})
}

// edgeStrings are values that sit at or just across the rules' edges.
var edgeStrings = []string{
	"", " ", "a", "A", "0", "1", "-1", "9", "-", ".", "..", "/", "/a", "a/b", "../x", "a..b",
	"x-", "-x", "a_b", "a.b", "UPPER", "héllo", "🙂", "a=b", "1abc", "abc-nodeport",
	"http", "8080", "65535", "65536", "0.5", "500m", "1e3", "1E-3", "1Gi", "1G", "-1Gi", "1.5Ki", "0x10",
	"nginx", "nginx:latest", "nginx@sha256:abc", "localhost:5000/app", "CAP_SYS_ADMIN", "ALL",
	"app.kubernetes.io/name", "kubernetes.io/x", "controller.kubernetes.io/pod-deletion-cost",
	"service.kubernetes.io/topology-mode", "service.kubernetes.io/topology-aware-hints",
	"seccomp.security.alpha.kubernetes.io/pod", "container.apparmor.security.beta.kubernetes.io/web",
	"runtime/default", "unconfined", "Auto", "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01",
	"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz012",
}

var edgeInts = []int64{0, 1, -1, 2, 3, 10, 53, 80, 1023, 29999, 30000, 31000, 32767, 32768, 65535, 65536, 1<<31 - 1, -1 << 31}

// mutate changes one field somewhere in m: a scalar takes an edge value, a
// list loses or repeats an element, a map gains an edge key, a message
// field is cleared or filled.
func mutate(r *rand.Rand, m protoreflect.Message) {
	fields := m.Descriptor().Fields()
	fd := fields.Get(r.Intn(fields.Len()))
	switch {
	case fd.IsList():
		l := m.Mutable(fd).List()
		switch {
		case l.Len() > 0 && r.Intn(3) == 0:
			i := r.Intn(l.Len())
			for j := i; j+1 < l.Len(); j++ {
				l.Set(j, l.Get(j+1))
			}
			l.Truncate(l.Len() - 1)
		case l.Len() > 0 && r.Intn(2) == 0:
			v := l.Get(r.Intn(l.Len()))
			if fd.Message() != nil {
				v = protoreflect.ValueOfMessage(proto.Clone(v.Message().Interface()).ProtoReflect())
			}
			l.Append(v)
		case l.Len() > 0 && fd.Message() != nil:
			mutate(r, l.Get(r.Intn(l.Len())).Message())
		case fd.Message() != nil:
			el := l.NewElement()
			mutate(r, el.Message())
			l.Append(el)
		default:
			l.Append(scalar(r, fd))
		}
	case fd.IsMap():
		mp := m.Mutable(fd).Map()
		k := edgeStrings[r.Intn(len(edgeStrings))]
		if r.Intn(2) == 0 {
			mp.Set(protoreflect.ValueOfString(k).MapKey(), protoreflect.ValueOfString(edgeStrings[r.Intn(len(edgeStrings))]))
		} else {
			var keys []string
			mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
				keys = append(keys, k.String())
				return true
			})
			slices.Sort(keys)
			if len(keys) > 0 {
				mp.Clear(protoreflect.ValueOfString(keys[r.Intn(len(keys))]).MapKey())
			}
		}
	case fd.Message() != nil:
		if m.Has(fd) && r.Intn(4) == 0 {
			m.Clear(fd)
			return
		}
		mutate(r, m.Mutable(fd).Message())
	default:
		m.Set(fd, scalar(r, fd))
	}
}

// scalar returns an edge value for a scalar field.
func scalar(r *rand.Rand, fd protoreflect.FieldDescriptor) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(edgeStrings[r.Intn(len(edgeStrings))])
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(r.Intn(2) == 0)
	case protoreflect.EnumKind:
		vals := fd.Enum().Values()
		if r.Intn(8) == 0 {
			return protoreflect.ValueOfEnum(protoreflect.EnumNumber(vals.Len() + r.Intn(3)))
		}
		return protoreflect.ValueOfEnum(vals.Get(r.Intn(vals.Len())).Number())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(edgeInts[r.Intn(len(edgeInts))]))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(edgeInts[r.Intn(len(edgeInts))])
	}
	return fd.Default()
}

// TestMutateKeepsIntentsUsable: mutants are still intents the engine can
// be asked about (no panics in the mutator, varied outcomes).
func TestMutateKeepsIntentsUsable(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	changed := 0
	for i := range 500 {
		wi := randintent.New(int64(i)).Next()
		orig := proto.Clone(wi)
		for range 3 {
			mutate(r, wi.ProtoReflect())
		}
		if !proto.Equal(orig, wi) {
			changed++
		}
		if _, err := protojson.Marshal(wi); err != nil {
			t.Fatalf("mutant does not marshal: %v", err)
		}
	}
	if changed < 400 {
		t.Errorf("only %d of 500 mutants differ from their origin", changed)
	}
}

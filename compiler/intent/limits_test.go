package intent

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// findingAt returns the finding at path, if any.
func findingAt(fs []diag.Finding, path string) (diag.Finding, bool) {
	for _, f := range fs {
		if f.Field == path {
			return f, true
		}
	}
	return diag.Finding{}, false
}

// wantLimit asserts a deny finding of the intent stage at path whose
// message contains msg.
func wantLimit(t *testing.T, fs []diag.Finding, path, msg string) {
	t.Helper()
	f, ok := findingAt(fs, path)
	if !ok {
		t.Fatalf("no finding at %q; got %v", path, fs)
	}
	if f.Severity != diag.Deny || f.Stage != diag.StageIntent {
		t.Errorf("%v: want a deny of the intent stage", f)
	}
	if !strings.Contains(f.Message, msg) {
		t.Errorf("%s: message %q does not mention %q", path, f.Message, msg)
	}
}

func containers(n int) []*podcv1.Container {
	out := make([]*podcv1.Container, n)
	for i := range out {
		out[i] = &podcv1.Container{Name: "c", Image: "nginx:1.27.3"}
	}
	return out
}

func TestCheckLimitsAcceptsExamples(t *testing.T) {
	files, err := filepath.Glob("../../examples/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		wi, err := Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		if fs := CheckLimits(wi, Limits{}); len(fs) > 0 {
			t.Errorf("%s: %v", file, fs)
		}
	}
}

func TestCheckLimitsContainers(t *testing.T) {
	for _, n := range []int{5000, 10000} {
		fs := CheckLimits(&podcv1.WorkloadIntent{Name: "x", Containers: containers(n)}, Limits{})
		wantLimit(t, fs, "containers", strconv.Itoa(n)+" containers, at most 64")
		if len(fs) != 1 {
			t.Errorf("%d containers: want one finding (the list is not looked into), got %d", n, len(fs))
		}
	}
	fs := CheckLimits(&podcv1.WorkloadIntent{InitSteps: containers(5000)}, Limits{})
	wantLimit(t, fs, "initSteps", "5000 init steps, at most 64")

	// Together: init steps, containers and sidecars share the limit.
	fs = CheckLimits(&podcv1.WorkloadIntent{InitSteps: containers(30), Containers: containers(30), Sidecars: containers(10)}, Limits{})
	wantLimit(t, fs, "sidecars", "10 sidecars bring the pod to 70 containers (init steps, containers and sidecars), at most 64")
	if fs := CheckLimits(&podcv1.WorkloadIntent{InitSteps: containers(30), Containers: containers(30), Sidecars: containers(4)}, Limits{}); len(fs) > 0 {
		t.Errorf("64 containers: %v", fs)
	}
}

func TestCheckLimitsPorts(t *testing.T) {
	ports := func(n int) []*podcv1.Port {
		out := make([]*podcv1.Port, n)
		for i := range out {
			out[i] = &podcv1.Port{ContainerPort: 80}
		}
		return out
	}
	cs := containers(2)
	cs[1].Ports = ports(100000)
	fs := CheckLimits(&podcv1.WorkloadIntent{Containers: cs}, Limits{})
	wantLimit(t, fs, "containers[1].ports", "100000 ports, at most 256")
	if len(fs) != 1 {
		t.Errorf("want one finding for the container's ports, got %v", fs)
	}

	// The pod's total: five containers of 250 ports each.
	cs = containers(5)
	for _, c := range cs {
		c.Ports = ports(250)
	}
	fs = CheckLimits(&podcv1.WorkloadIntent{Containers: cs}, Limits{})
	wantLimit(t, fs, "containers[4].ports", "250 ports bring the pod to 1250 ports, at most 1024")
	if len(fs) != 1 {
		t.Errorf("want one finding for the pod's ports, got %v", fs)
	}
}

func TestCheckLimitsLongName(t *testing.T) {
	name := strings.Repeat("\x01\x7f\t", 1300000) // 3.9 MB of control characters
	fs := CheckLimits(&podcv1.WorkloadIntent{Name: name, Containers: containers(1)}, Limits{})
	wantLimit(t, fs, "name", "3900000 bytes, at most 253")
	wantLimit(t, fs, "", "at most 1048576")
	for _, f := range fs {
		if strings.ContainsAny(f.Message, "\x01\x7f") || len(f.Message) > 200 {
			t.Errorf("%s: the message echoes the value: %q", f.Field, f.Message[:min(len(f.Message), 200)])
		}
	}
}

func TestCheckLimitsMapKeys(t *testing.T) {
	long := strings.Repeat("k", 400)
	fs := CheckLimits(&podcv1.WorkloadIntent{
		Labels:      map[string]string{long: "v", "team": strings.Repeat("v", 300)},
		Annotations: map[string]string{long: "v"},
	}, Limits{})
	wantLimit(t, fs, "labels", "a key of 400 bytes, at most 317")
	wantLimit(t, fs, `labels["team"]`, "300 bytes, at most 253")
	wantLimit(t, fs, "annotations", "a key of 400 bytes, at most 317")
	for _, f := range fs {
		if strings.Contains(f.Field, long) || strings.Contains(f.Message, long) {
			t.Errorf("a finding echoes the key: %s", f.Field)
		}
	}
	many := map[string]string{}
	for i := range 300 {
		many["k"+strconv.Itoa(i)] = "v"
	}
	wantLimit(t, CheckLimits(&podcv1.WorkloadIntent{Labels: many}, Limits{}), "labels", "300 labels, at most 256")
}

func TestCheckLimitsQuantities(t *testing.T) {
	huge := strings.Repeat("9", 100000)
	fs := CheckLimits(&podcv1.WorkloadIntent{
		Containers: []*podcv1.Container{{Resources: &podcv1.Resources{
			Cpu:              &podcv1.Resource{Request: huge, Limit: "1e-999999999"},
			Memory:           &podcv1.Resource{Request: "1e400", Limit: "0e-999999999"},
			EphemeralStorage: &podcv1.Resource{Request: "999999999999Gi", Limit: "1e999999999"},
		}}},
		Volumes: []*podcv1.Volume{{Name: "v", Source: &podcv1.Volume_Scratch{Scratch: &podcv1.ScratchVolume{SizeLimit: huge}}}},
	}, Limits{})
	wantLimit(t, fs, "containers[0].resources.cpu.request", "100000 bytes, at most 64")
	wantLimit(t, fs, "containers[0].resources.cpu.limit", "finer than a millicore")
	wantLimit(t, fs, "containers[0].resources.memory.request", "too large")
	wantLimit(t, fs, "containers[0].resources.memory.limit", "exponent out of range")
	wantLimit(t, fs, "containers[0].resources.ephemeralStorage.limit", "too large")
	wantLimit(t, fs, "volumes[0].scratch.sizeLimit", "100000 bytes, at most 64")
	// Out of range but cheap to parse: left to the structural checks.
	if f, ok := findingAt(fs, "containers[0].resources.ephemeralStorage.request"); ok {
		t.Errorf("999999999999Gi is cheap to parse; got %v", f)
	}
}

func TestCheckLimitsConfigurable(t *testing.T) {
	wi := &podcv1.WorkloadIntent{Name: "abcdef", Containers: containers(3)}
	if fs := CheckLimits(wi, Limits{}); len(fs) > 0 {
		t.Fatalf("defaults: %v", fs)
	}
	fs := CheckLimits(wi, Limits{Containers: 2, NameBytes: 5})
	wantLimit(t, fs, "containers", "3 containers, at most 2")
	wantLimit(t, fs, "name", "6 bytes, at most 5")
	if got := (Limits{Containers: 2}).WithDefaults(); got.Containers != 2 || got.Ports != DefaultLimits.Ports {
		t.Errorf("WithDefaults = %+v", got)
	}
}

func TestCheckLimitsBoundsFindings(t *testing.T) {
	env := make([]*podcv1.EnvVar, 500)
	for i := range env {
		env[i] = &podcv1.EnvVar{Name: "AB"}
	}
	fs := CheckLimits(&podcv1.WorkloadIntent{Containers: []*podcv1.Container{{Env: env}}}, Limits{NameBytes: 1})
	if len(fs) != 101 {
		t.Fatalf("%d findings, want 100 and a summary", len(fs))
	}
	if last := fs[100]; last.Field != "" || !strings.Contains(last.Message, "400 more problems") {
		t.Errorf("summary = %v", last)
	}
}

// TestCheckLimitsCoversEveryString: every string field of the intent, and
// every map key, has a bound. A field added to the proto without one fails
// here.
func TestCheckLimitsCoversEveryString(t *testing.T) {
	long := strings.Repeat("x", 300000) // beyond every string limit, within the intent's
	leaves := stringLeaves((&podcv1.WorkloadIntent{}).ProtoReflect().Descriptor(), nil)
	if len(leaves) < 40 {
		t.Fatalf("only %d string fields found", len(leaves))
	}
	for _, leaf := range leaves {
		for _, key := range []bool{false, true} {
			if key && !leaf[len(leaf)-1].IsMap() {
				continue
			}
			wi := &podcv1.WorkloadIntent{}
			path := fill(wi.ProtoReflect(), leaf, long, key)
			fs := CheckLimits(wi, Limits{})
			f, ok := findingAt(fs, path)
			if !ok || !strings.Contains(f.Message, "300000") {
				t.Errorf("%s (key %t): no length finding; got %v", path, key, fs)
			}
		}
	}
}

// stringLeaves returns the paths of fields from md to every string field,
// string list and string map.
func stringLeaves(md protoreflect.MessageDescriptor, prefix []protoreflect.FieldDescriptor) [][]protoreflect.FieldDescriptor {
	var out [][]protoreflect.FieldDescriptor
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		path := append(append([]protoreflect.FieldDescriptor{}, prefix...), fd)
		switch {
		case fd.IsMap() || fd.Kind() == protoreflect.StringKind:
			out = append(out, path)
		case fd.Message() != nil:
			out = append(out, stringLeaves(fd.Message(), path)...)
		}
	}
	return out
}

// fill sets the leaf at the end of path in m to value (for a map: the
// value of key "k", or a key of value when key is true), creating one
// element of every list on the way, and returns the expected finding path.
func fill(m protoreflect.Message, path []protoreflect.FieldDescriptor, value string, key bool) string {
	p := diag.Path("")
	for i, fd := range path {
		p = p.Field(fd.JSONName())
		last := i == len(path)-1
		switch {
		case fd.IsMap():
			if key {
				m.Mutable(fd).Map().Set(protoreflect.ValueOfString(value).MapKey(), protoreflect.ValueOfString("v"))
				return p.String()
			}
			m.Mutable(fd).Map().Set(protoreflect.ValueOfString("k").MapKey(), protoreflect.ValueOfString(value))
			return p.Key("k").String()
		case fd.IsList() && last:
			m.Mutable(fd).List().Append(protoreflect.ValueOfString(value))
			return p.Index(0).String()
		case fd.IsList():
			l := m.Mutable(fd).List()
			el := l.NewElement()
			l.Append(el)
			m = el.Message()
			p = p.Index(0)
		case last:
			m.Set(fd, protoreflect.ValueOfString(value))
			return p.String()
		default:
			m = m.Mutable(fd).Message()
		}
	}
	return p.String()
}

package compile_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/target"
	"github.com/podc-dev/podc/compiler/validate"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// trickyStrings and trickyInts are the values mutate writes.
var trickyStrings = []string{"", "a", "A", "-", "x-", "1", "0", "8080", "65536", "http", "/", "/a", "a/b", "..", "a:b", "a b", "é", "a.b", "a_b",
	"1Gi", "-1", "0.5", "500m", "1e3", "abc", "1G", "100000000000000000000", "/data", "CAP_SYS_ADMIN", "ALL", "nginx", "nginx:latest", "x@sha256:" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "metrics", "grpc", "app", "cache", "0.0001", "1m", "1n", "1Ei", "9223372036854775807"}
var trickyInts = []int64{0, 1, -1, 2, 3, 53, 80, 65535, 65536, 30000, 32767, 32768, 2147483647, -2147483648, 9000, 8080}

// mutate changes about one field in 25 of m and its messages, recursively.
func mutate(r *rand.Rand, m protoreflect.Message, depth int) {
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if r.IntN(25) != 0 {
			if fd.Message() != nil && !fd.IsMap() {
				if fd.IsList() {
					l := m.Get(fd).List()
					for j := 0; j < l.Len(); j++ {
						mutate(r, l.Get(j).Message(), depth+1)
					}
				} else if m.Has(fd) {
					mutate(r, m.Mutable(fd).Message(), depth+1)
				}
			}
			continue
		}
		switch {
		case fd.IsMap():
			mp := m.Mutable(fd).Map()
			mp.Set(protoreflect.ValueOfString(trickyStrings[r.IntN(len(trickyStrings))]).MapKey(), protoreflect.ValueOfString(trickyStrings[r.IntN(len(trickyStrings))]))
		case fd.IsList():
			l := m.Mutable(fd).List()
			switch fd.Kind() {
			case protoreflect.StringKind:
				l.Append(protoreflect.ValueOfString(trickyStrings[r.IntN(len(trickyStrings))]))
			case protoreflect.MessageKind:
				if l.Len() > 0 && r.IntN(2) == 0 {
					l.Append(protoreflect.ValueOfMessage(proto.Clone(l.Get(r.IntN(l.Len())).Message().Interface()).ProtoReflect()))
				} else if depth < 3 {
					nm := l.NewElement()
					mutate(r, nm.Message(), depth+1)
					l.Append(nm)
				}
			}
		case fd.Kind() == protoreflect.StringKind:
			m.Set(fd, protoreflect.ValueOfString(trickyStrings[r.IntN(len(trickyStrings))]))
		case fd.Kind() == protoreflect.Int32Kind:
			m.Set(fd, protoreflect.ValueOfInt32(int32(trickyInts[r.IntN(len(trickyInts))])))
		case fd.Kind() == protoreflect.Int64Kind:
			m.Set(fd, protoreflect.ValueOfInt64(trickyInts[r.IntN(len(trickyInts))]))
		case fd.Kind() == protoreflect.BoolKind:
			m.Set(fd, protoreflect.ValueOfBool(r.IntN(2) == 0))
		case fd.Kind() == protoreflect.EnumKind:
			m.Set(fd, protoreflect.ValueOfEnum(protoreflect.EnumNumber(r.IntN(fd.Enum().Values().Len()))))
		case fd.Kind() == protoreflect.MessageKind:
			if depth < 4 {
				if m.Has(fd) {
					m.Clear(fd)
				} else {
					mutate(r, m.Mutable(fd).Message(), depth+1)
				}
			}
		}
	}
}

// TestCheckedMutantsPassAPIServerValidation mutates the examples at random
// with tricky values (names, ports, quantities, paths, enum values, nil
// messages) and holds every mutant that passes intent.Check to the promise:
// it compiles, and the kube-apiserver of its target accepts the objects.
func TestCheckedMutantsPassAPIServerValidation(t *testing.T) {
	files, _ := filepath.Glob("../../examples/*.json")
	var seeds []*podcv1.WorkloadIntent
	for _, f := range files {
		data, _ := os.ReadFile(f)
		wi, err := intent.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, wi)
	}
	r := rand.New(rand.NewPCG(7, 9))
	passed, bad := 0, 0
	for i := 0; i < 20000 && bad < 15; i++ {
		wi := proto.Clone(seeds[r.IntN(len(seeds))]).(*podcv1.WorkloadIntent)
		mutate(r, wi.ProtoReflect(), 0)
		tv := target.Version{Minor: target.Oldest + r.IntN(target.Newest-target.Oldest+1)}
		if fs := intent.Check(wi, intent.Options{Target: tv}); len(fs) > 0 {
			continue
		}
		passed++
		out, err := compile.Workload(wi, compile.Options{Target: tv})
		if err != nil {
			t.Errorf("compile: %v", err)
			bad++
			continue
		}
		if fs := validate.Objects(out.Objects(), validate.Options{Target: tv, Sources: out.Sources}); len(fs) > 0 {
			bad++
			t.Errorf("1.%d: %v\n%v", tv.Minor, fs, wi)
		}
	}
	if passed < 1000 {
		t.Errorf("only %d mutants passed Check: the mutations are too coarse to test anything", passed)
	}
}

package server

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/compiler/randintent"
	"github.com/podc-dev/podc/compiler/render"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// responseOf is the reference the encoding is checked against: a compile
// result converted to its API message, field by field.
func responseOf(res *compiler.Result) *podcv1.CompileResponse {
	return &podcv1.CompileResponse{
		Manifests:     manifestsProto(res.Manifests),
		Report:        reportProto(&res.Report),
		PolicyDigest:  res.PolicyDigest,
		TargetVersion: res.Target.String(),
	}
}

func manifestsProto(ms []render.Manifest) []*podcv1.Manifest {
	out := make([]*podcv1.Manifest, 0, len(ms))
	for _, m := range ms {
		out = append(out, &podcv1.Manifest{Kind: m.Kind, Name: m.Name, ApiVersion: m.APIVersion, Namespace: m.Namespace, Content: string(m.Content)})
	}
	return out
}

// checkEncoding fails unless res's encoding decodes to the message
// responseOf builds, and is exactly as long as the protobuf runtime's
// encoding of that message (every length written in its fewest bytes).
func checkEncoding(t *testing.T, name string, res *compiler.Result) {
	t.Helper()
	want := responseOf(res)
	wire := encodeResponse(res)
	got := new(podcv1.CompileResponse)
	if err := proto.Unmarshal(wire, got); err != nil {
		t.Fatalf("%s: the encoding does not decode: %v", name, err)
	}
	if !proto.Equal(got, want) {
		t.Fatalf("%s: the encoding decodes to\n%v\nwant\n%v", name, got, want)
	}
	if n := proto.Size(want); len(wire) != n {
		t.Errorf("%s: encoding is %d bytes, the message's %d", name, len(wire), n)
	}
	if hint := responseSizeHint(res); hint < len(wire) {
		t.Errorf("%s: size hint %d is below the encoding's %d bytes: its buffer grows", name, hint, len(wire))
	}
}

// Every example, compiled with and without explain, and a few hundred
// random intents encode to what their messages are.
func TestEncodeResponseMatchesTheMessage(t *testing.T) {
	eng := compiler.New(compiler.Options{Policies: store.New(mustDefaultBundle(t), nil)})
	ctx := context.Background()
	names, err := filepath.Glob("../examples/*.json")
	if err != nil || len(names) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, path := range names {
		name := filepath.Base(path)
		for _, explain := range []bool{false, true} {
			res, err := eng.Compile(ctx, compiler.Request{Intent: example(t, name), Explain: explain})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			checkEncoding(t, fmt.Sprintf("%s explain=%v", name, explain), res)
		}
	}
	compiled := 0
	for i := range 300 {
		wi := randintent.New(int64(i)*7919 + 3).Next()
		res, err := eng.Compile(ctx, compiler.Request{Intent: wi, Explain: i%2 == 0, Format: render.Format(i % 2)})
		if err != nil {
			continue // refused: no CompileResponse
		}
		compiled++
		checkEncoding(t, fmt.Sprintf("random intent %d", i), res)
	}
	if compiled < 150 {
		t.Fatalf("only %d of 300 random intents compiled", compiled)
	}
}

// A result with every field of every report entry set, lists long enough
// that lengths take two and three bytes, encodes to its message: a field
// added to the report and to its message but not to the encoding fails
// here.
func TestEncodeResponseCoversEveryField(t *testing.T) {
	res := &compiler.Result{PolicyDigest: "sha256:abc", Target: target.Version{Minor: 33}}
	fillEveryField(t, reflect.ValueOf(&res.Manifests).Elem(), "manifests", 0)
	fillEveryField(t, reflect.ValueOf(&res.Report).Elem(), "report", 0)
	// Every enum value each way, and a denial and not.
	for i := range res.Report.Findings {
		f := &res.Report.Findings[i]
		f.Severity = []diag.Severity{diag.Deny, diag.Warn}[i%2]
		f.Stage = diag.Stage(i % 6)
	}
	for i := range res.Report.Decisions {
		d := &res.Report.Decisions[i]
		d.Outcome = diag.Outcome(i % 6)
		if i%2 == 1 {
			d.Exception = nil
		} else {
			d.Exception.State = diag.ExceptionState(i % 5)
		}
	}
	for i := range res.Report.Sources {
		res.Report.Sources[i].Origin = diag.Origin(i % 4)
	}
	checkEncoding(t, "every field", res)

	// Lengths of one, two and three bytes: a large manifest and a large
	// note.
	res.Manifests[0].Content = []byte(strings.Repeat("x", 20_000))
	res.Report.Notes = append(res.Report.Notes, strings.Repeat("n", 200), strings.Repeat("m", 70_000))
	checkEncoding(t, "long fields", res)

	// Nothing set: the report is still there, empty.
	checkEncoding(t, "empty", &compiler.Result{})
}

// fillEveryField sets every field v holds to something not zero: strings
// to their path, numbers to 1 plus depth, booleans true, lists to three
// entries, pointers to a filled value.
func fillEveryField(t *testing.T, v reflect.Value, path string, depth int) {
	t.Helper()
	if depth > 6 {
		t.Fatalf("%s: too deep", path)
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(path)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(depth + 1))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(depth + 1))
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 3, 3))
		for i := range 3 {
			fillEveryField(t, v.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillEveryField(t, v.Elem(), path, depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				continue
			}
			fillEveryField(t, v.Field(i), path+"."+v.Type().Field(i).Name, depth+1)
		}
	default:
		t.Fatalf("%s: a %s field: teach fillEveryField and the encoding about it", path, v.Kind())
	}
}

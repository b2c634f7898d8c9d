package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// viaEncodingJSON is the tree of v as render had it before the direct
// walk: written by encoding/json, read back and pruned, in JSON.
func viaEncodingJSON(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	n, err := parseTree(raw)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	writeJSON(&b, node{kind: kindObject, obj: prune(n.obj)}, 0)
	return b.Bytes()
}

// walked is the tree of v built by the direct walk, in JSON.
func walked(t *testing.T, v any) []byte {
	t.Helper()
	m, err := (&walker{}).tree(v)
	if err != nil {
		t.Fatalf("%T: %v", v, err)
	}
	var b bytes.Buffer
	writeJSON(&b, node{kind: kindObject, obj: m}, 0)
	return b.Bytes()
}

// TestWalkEveryFieldOfTheKinds fills every field of each kind podc writes
// with random values (strings with escapes, markup, line separators and
// bytes that are not UTF-8; quantities, int-or-strings, times, raw
// extensions) and checks the direct walk builds the tree encoding/json and
// the parser build.
func TestWalkEveryFieldOfTheKinds(t *testing.T) {
	kinds := []runtime.Object{&corev1.Pod{}, &appsv1.Deployment{}, &corev1.Service{}, &policyv1.PodDisruptionBudget{}, &autoscalingv2.HorizontalPodAutoscaler{}, &networkingv1.NetworkPolicy{}}
	for _, k := range kinds {
		for seed := range uint64(40) {
			o := reflect.New(reflect.TypeOf(k).Elem())
			fill(o.Elem(), rand.New(rand.NewPCG(seed, 7)), 0)
			got, want := walked(t, o.Interface()), viaEncodingJSON(t, o.Interface())
			if !bytes.Equal(got, want) {
				t.Fatalf("%T, seed %d: walked\n%s\nthrough encoding/json\n%s", k, seed, got, want)
			}
		}
	}
}

var fillStrings = []string{"", "a", "checkout", `say "hi"\n`, "tab\there", "<b>&amp;</b>", "üñí", "line\u2028sep", "bad\xff\xfebytes", "null", "123", "true", "- x", "key: value"}

// fill sets v, settable, to random values, a few levels deep.
func fill(v reflect.Value, r *rand.Rand, depth int) {
	switch v.Addr().Interface().(type) {
	case *resource.Quantity:
		v.Set(reflect.ValueOf(resource.MustParse([]string{"0", "1", "250m", "1Gi", "0.5", "1e3", "100Mi"}[r.IntN(7)])))
		return
	case *intstr.IntOrString:
		if r.IntN(2) == 0 {
			v.Set(reflect.ValueOf(intstr.FromInt32(r.Int32N(70000))))
		} else {
			v.Set(reflect.ValueOf(intstr.FromString(fillStrings[r.IntN(len(fillStrings))])))
		}
		return
	case *metav1.Time:
		if r.IntN(2) == 0 {
			v.Set(reflect.ValueOf(metav1.Unix(r.Int64N(2e9), 0)))
		}
		return
	case *metav1.MicroTime:
		if r.IntN(2) == 0 {
			v.Set(reflect.ValueOf(metav1.NewMicroTime(time.Unix(r.Int64N(2e9), r.Int64N(1e9)))))
		}
		return
	case *runtime.RawExtension:
		v.Set(reflect.ValueOf(runtime.RawExtension{Raw: []byte(`{"b":[1,null,{}],"a":"x"}`)}))
		return
	case *metav1.FieldsV1:
		v.Set(reflect.ValueOf(metav1.FieldsV1{Raw: []byte(`{"f:metadata":{"f:labels":{}}}`)}))
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(r.IntN(5)) - 1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(r.IntN(5)))
	case reflect.Float32, reflect.Float64:
		v.SetFloat([]float64{0, 1.5, -2, 1e21, 1e-7, 0.1}[r.IntN(6)])
	case reflect.String:
		v.SetString(fillStrings[r.IntN(len(fillStrings))])
	case reflect.Pointer:
		if depth > 7 || r.IntN(4) == 0 {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), r, depth+1)
		v.Set(p)
	case reflect.Slice:
		if depth > 7 || r.IntN(4) == 0 {
			return
		}
		n := r.IntN(3)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fill(s.Index(i), r, depth+1)
		}
		v.Set(s)
	case reflect.Map:
		if depth > 7 || r.IntN(4) == 0 {
			return
		}
		m := reflect.MakeMap(v.Type())
		for i := range r.IntN(3) {
			k := reflect.New(v.Type().Key()).Elem()
			if k.Kind() == reflect.String {
				k.SetString(fmt.Sprintf("k%d-%s", i, fillStrings[r.IntN(len(fillStrings))]))
			} else {
				fill(k, r, depth+1)
			}
			e := reflect.New(v.Type().Elem()).Elem()
			fill(e, r, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), r, depth+1)
			}
		}
	}
}

type walkInner struct {
	A string `json:"a,omitempty"`
	B int    `json:"b"`
}

type WalkEmbedded struct {
	E string `json:"e"`
}

type walkTextKey string

func (k walkTextKey) MarshalText() ([]byte, error) { return []byte("text-" + string(k)), nil }

type walkTextKeyStruct struct{ s string }

func (k walkTextKeyStruct) MarshalText() ([]byte, error) { return []byte("key-" + k.s), nil }

type walkPtrMarshaler struct{ N int }

func (p *walkPtrMarshaler) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, `{"n":%d,"z":null,"e":{},"podSelector":{}}`, p.N), nil
}

type walkZeroer struct{ X int }

func (z walkZeroer) IsZero() bool { return z.X == 7 }

// walkMarshalMap and walkTextSlice write something even when nil.
type walkMarshalMap map[string]int

func (m walkMarshalMap) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, `{"len":%d}`, len(m)), nil
}

type walkTextSlice []string

func (s walkTextSlice) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "n=%d", len(s)), nil }

type walkSynthetic struct {
	*WalkEmbedded
	Plain    string
	Omit     string `json:",omitempty"`
	Renamed  int    `json:"renamed"`
	Skip     string `json:"-"`
	Bytes    []byte `json:"bytes"`
	NilBytes []byte `json:"nilBytes"`
	Float    float64
	F32      float32 `json:"f32"`
	Iface    any     `json:"iface"`
	IfaceNil any     `json:"ifaceNil"`
	ByText   map[walkTextKeyStruct]int
	ByKind   map[walkTextKey]int
	ByInt    map[int]string              `json:"byInt"`
	ByUint   map[uint8]bool              `json:"byUint,omitempty"`
	PtrM     walkPtrMarshaler            `json:"ptrM"`
	PtrMs    map[string]walkPtrMarshaler `json:"ptrMs"`
	PtrMNil  *walkPtrMarshaler           `json:"ptrMNil"`
	Zero     walkZeroer                  `json:"zero,omitzero"`
	Zero2    walkZeroer                  `json:"zero2,omitzero"`
	ZeroPtr  *walkInner                  `json:"zeroPtr,omitzero"`
	ZeroInt  int                         `json:"zeroInt,omitzero"`
	Inner    walkInner                   `json:"inner"`
	Blank    walkInner                   `json:"blank"`
	EmptyDir struct{}                    `json:"emptyDir"`
	Other    struct{}                    `json:"other"`
	Arr      [2]int                      `json:"arr"`
	Status   walkInner                   `json:"status"`
	Nested   []map[string]*walkInner     `json:"nested"`
	EmptyArr []int                       `json:"emptyArr"`
	Time     metav1.Time                 `json:"time"`
	NilMM    walkMarshalMap              `json:"nilMM"`
	NilTS    walkTextSlice               `json:"nilTS"`
	lower    string
}

// TestWalkFollowsEncodingJSON: each of encoding/json's rules the direct
// walk takes on (embedded structs, tags, omitempty and omitzero with and
// without an IsZero method, []byte, floats, interfaces, map keys of string
// kind, text marshalers and integers, marshalers with value and pointer
// receivers where addressable and not, arrays, what prune drops) builds
// the tree encoding/json and the parser build.
func TestWalkFollowsEncodingJSON(t *testing.T) {
	values := []any{
		&walkSynthetic{},
		&walkSynthetic{
			WalkEmbedded: &WalkEmbedded{E: "e"}, Plain: "p", Omit: "o", Renamed: 3, Skip: "s",
			Bytes: []byte{0, 1, 2, 250}, Float: 1e21, F32: 0.1, Iface: map[string]any{"x": []any{1, "y", nil}},
			ByText: map[walkTextKeyStruct]int{{"a"}: 1, {"b"}: 2}, ByKind: map[walkTextKey]int{"c": 3},
			ByInt: map[int]string{-1: "neg", 10: "ten", 2: "two"}, ByUint: map[uint8]bool{7: true},
			PtrM: walkPtrMarshaler{N: 4}, PtrMs: map[string]walkPtrMarshaler{"m": {N: 5}},
			Zero: walkZeroer{X: 7}, Zero2: walkZeroer{X: 1}, ZeroPtr: &walkInner{}, ZeroInt: 0,
			Inner: walkInner{A: "a", B: 1}, Arr: [2]int{1, 2}, Status: walkInner{A: "gone"},
			Nested:   []map[string]*walkInner{{"x": {A: "x"}, "nil": nil}, nil, {}},
			EmptyArr: []int{}, Time: metav1.Unix(1700000000, 0), lower: "unexported",
		},
		walkSynthetic{Plain: "not addressable", PtrM: walkPtrMarshaler{N: 9}},
	}
	for i, v := range values {
		got, want := walked(t, v), viaEncodingJSON(t, v)
		if !bytes.Equal(got, want) {
			t.Errorf("value %d: walked\n%s\nthrough encoding/json\n%s", i, got, want)
		}
	}
}

type walkStringOpt struct {
	N int `json:"n,string"`
}

// WalkDupA and WalkDupB each give their embedder a member x.
type WalkDupA struct {
	X string `json:"x"`
}

// WalkDupB: see WalkDupA.
type WalkDupB struct {
	Y string
}

type walkDuplicate struct {
	WalkDupA
	WalkDupB
	Z string `json:"Y"`
}

type walkLowerEmbedded struct{ L string }

type walkUnexportedEmbedded struct {
	walkLowerEmbedded
}

// TestWalkLeavesTheRestToEncodingJSON: what the walk does not take on is
// reported as such, and Take renders it through encoding/json, as before.
func TestWalkLeavesTheRestToEncodingJSON(t *testing.T) {
	for _, v := range []any{&walkStringOpt{N: 1}, &walkDuplicate{WalkDupA{"a"}, WalkDupB{"b"}, "z"}, &walkUnexportedEmbedded{walkLowerEmbedded{"l"}}} {
		if _, err := (&walker{}).tree(v); !errors.Is(err, errNotDirect) {
			t.Errorf("%T: %v, want errNotDirect", v, err)
		}
	}
	type deep struct {
		Next *deep `json:"next"`
	}
	d := &deep{}
	for n, i := d, 0; i < maxDepth+5; n, i = n.Next, i+1 {
		n.Next = &deep{}
	}
	if _, err := (&walker{}).tree(d); !errors.Is(err, errNotDirect) {
		t.Errorf("deep: %v, want errNotDirect", err)
	}
	o := &walkStringOptObject{ObjectMeta: metav1.ObjectMeta{Name: "x"}, N: 3}
	if ok, err := Walked([]runtime.Object{o}); err != nil || ok {
		t.Errorf("an object with a \",string\" field walked: %v, %v", ok, err)
	}
	for _, f := range []Format{YAML, JSON} {
		got, err := Objects([]runtime.Object{o}, f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ViaJSON([]runtime.Object{o}, f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got[0].Content, want[0]) || !bytes.Contains(want[0], []byte(`"3"`)) {
			t.Errorf("format %d: rendered\n%s\nwant\n%s", f, got[0].Content, want[0])
		}
	}
}

type walkStringOptObject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	N                 int `json:"n,string"`
}

func (o *walkStringOptObject) DeepCopyObject() runtime.Object { c := *o; return &c }

type walkRawObject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Raw               json.RawMessage `json:"raw"`
}

func (o *walkRawObject) DeepCopyObject() runtime.Object { c := *o; return &c }

// TestSnapshotOwnsMarshaledBytes: a marshaler that hands out bytes its
// object holds (json.RawMessage does) does not let a change to those
// bytes after the snapshot show in it.
func TestSnapshotOwnsMarshaledBytes(t *testing.T) {
	o := &walkRawObject{ObjectMeta: metav1.ObjectMeta{Name: "x"}, Raw: json.RawMessage(`{"a":"before"}`)}
	s, err := Take([]runtime.Object{o})
	if err != nil {
		t.Fatal(err)
	}
	copy(o.Raw, `{"a":"AFTER!"}`)
	got, err := s.Render(JSON)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(got[0].Content, []byte(`"before"`)) || bytes.Contains(got[0].Content, []byte("AFTER")) {
		t.Errorf("rendered %s", got[0].Content)
	}
}

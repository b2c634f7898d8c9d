package policy

import (
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// setDefault is setDefaultSteps on a path not yet parsed, as a default
// read from a rule's outcome is before it is settled.
func setDefault(m protoreflect.Message, path string, value any) (bool, error) {
	steps, err := parsePath(path)
	return setDefaultSteps(m, path, steps, err, value)
}

func TestSetDefault(t *testing.T) {
	tr := true
	tests := []struct {
		path    string
		value   any
		set     bool
		wantErr bool
	}{
		{"containers[0].securityContext.runAsNonRoot", true, true, false},
		{"containers[1].securityContext.runAsNonRoot", true, false, false}, // explicit
		{"containers[0].securityContext.capabilitiesDrop", []string{"ALL"}, true, false},
		{"containers[0].securityContext.seccompProfile", "SECCOMP_PROFILE_RUNTIME_DEFAULT", true, false},
		{"containers[0].securityContext.seccompProfile", "RUNTIME_DEFAULT", false, true},
		{"containers[0].securityContext.runAsUser", int64(1000), true, false},
		{"replicas", int64(2), true, false},
		{"serviceAccountName", "svc", true, false},
		{`labels["team"]`, "core", true, false},
		{`labels["a.b/c"]`, "x", true, false},
		{"containers[5].image", "x", false, true},
		{"containers[0]", "x", false, true},
		{"containers[0].nosuch", true, false, true},
		{"containers[0].securityContext.runAsNonRoot", "yes", false, true},
		{"replicas", int64(1) << 40, false, true},
		{"name.x", "y", false, true},
		{"", true, false, true},
		{"containers[x].image", "x", false, true},
		{"containers..image", "x", false, true},
		{"containers[0].", "x", false, true},
	}
	for _, tt := range tests {
		wi := &podcv1.WorkloadIntent{Name: "n", Containers: []*podcv1.Container{{Name: "a"}, {Name: "b", SecurityContext: &podcv1.SecurityContext{RunAsNonRoot: &tr}}}}
		set, err := setDefault(wi.ProtoReflect(), tt.path, tt.value)
		if (err != nil) != tt.wantErr || set != tt.set {
			t.Errorf("setDefault(%q, %v) = %v, %v; want set %v, error %v", tt.path, tt.value, set, err, tt.set, tt.wantErr)
		}
	}
	// The value really lands, and a second default does not overwrite it.
	wi := &podcv1.WorkloadIntent{Containers: []*podcv1.Container{{}}}
	if _, err := setDefault(wi.ProtoReflect(), "containers[0].securityContext.allowPrivilegeEscalation", false); err != nil {
		t.Fatal(err)
	}
	if sc := wi.Containers[0].GetSecurityContext(); sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("allowPrivilegeEscalation = %v, want false", sc.AllowPrivilegeEscalation)
	}
	if set, _ := setDefault(wi.ProtoReflect(), "containers[0].securityContext.allowPrivilegeEscalation", true); set {
		t.Error("a default overwrote a value")
	}
	want := &podcv1.WorkloadIntent{Containers: []*podcv1.Container{{SecurityContext: &podcv1.SecurityContext{AllowPrivilegeEscalation: proto.Bool(false)}}}}
	if !proto.Equal(wi, want) {
		t.Errorf("got %v, want %v", wi, want)
	}
}

func TestDefaultText(t *testing.T) {
	for v, want := range map[*pendingDefault]string{
		{value: true}:                   "true",
		{value: int64(3)}:               "3",
		{value: "RuntimeDefault"}:       "RuntimeDefault",
		{value: []string{"ALL", `a"b`}}: `["ALL", "a\"b"]`,
		{value: []string{}}:             "[]",
	} {
		if got := v.text(); got != want {
			t.Errorf("text(%v) = %s, want %s", v.value, got, want)
		}
	}
}

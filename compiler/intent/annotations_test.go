package intent

import (
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

func TestPodAnnotations(t *testing.T) {
	for _, tc := range []struct {
		key, value string
		want       string // a part of the message; empty: accepted
	}{
		{annotationDeletionCost, "100", ""},
		{annotationDeletionCost, "-2147483648", ""},
		{annotationDeletionCost, "2147483648", "32-bit integer"},
		{annotationDeletionCost, "ten", "32-bit integer"},
		{annotationMirror, "x", "mirror"},
		{annotationTolerations, "[]", "tolerations"},
		{annotationSeccompPod, "runtime/default", "seccompProfile"},
		{prefixSeccomp + "web", "runtime/default", "seccompProfile"},
		{prefixAppArmor + "web", "runtime/default", "AppArmor"},
		{"example.com/owner", "anything: at all", ""},
		{"kubectl.kubernetes.io/default-container", "web", ""},
	} {
		wi := &podcv1.WorkloadIntent{
			Name:        "web",
			Annotations: map[string]string{tc.key: tc.value},
			Containers:  []*podcv1.Container{{Name: "web", Image: "nginx:1.27.3"}},
		}
		fs := Check(wi, Options{Target: target.Default, NodePorts: DefaultNodePorts})
		if tc.want == "" {
			if len(fs) != 0 {
				t.Errorf("%s=%q refused: %v", tc.key, tc.value, fs)
			}
			continue
		}
		if len(fs) != 1 || fs[0].Field != `annotations["`+tc.key+`"]` || !strings.Contains(fs[0].Message, tc.want) {
			t.Errorf("%s=%q: got %v, want one finding at the annotation mentioning %q", tc.key, tc.value, fs, tc.want)
		}
	}
}

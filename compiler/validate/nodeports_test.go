package validate

import (
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/intent"
)

func TestNodePortRange(t *testing.T) {
	cases := []struct {
		port   int32
		r      intent.PortRange
		refuse bool
	}{
		{30000, intent.DefaultNodePorts, false},
		{32767, intent.DefaultNodePorts, false},
		{29999, intent.DefaultNodePorts, true},
		{32768, intent.DefaultNodePorts, true},
		{30080, intent.PortRange{Min: 31000, Max: 31999}, true},
		{31500, intent.PortRange{Min: 31000, Max: 31999}, false},
	}
	for _, c := range cases {
		s := testNodeService()
		s.Spec.Ports[0].NodePort = c.port
		o := opts()
		o.NodePorts = c.r
		fs := Objects([]runtime.Object{s}, o)
		if got := len(fs) > 0; got != c.refuse {
			t.Errorf("node port %d in %d-%d: refused = %v, want %v (%v)", c.port, c.r.Min, c.r.Max, got, c.refuse, fs)
		}
	}
}

func TestNodePortUnsetLeftToCluster(t *testing.T) {
	s := testNodeService()
	s.Spec.Ports[0].NodePort = 0
	if fs := Objects([]runtime.Object{s}, opts()); len(fs) != 0 {
		t.Errorf("unset node port refused: %v", fs)
	}
}

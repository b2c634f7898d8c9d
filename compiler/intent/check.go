package intent

import (
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// PortRange is the platform's node port range, inclusive.
type PortRange struct{ Min, Max int32 }

// DefaultNodePorts is the Kubernetes default node port range.
var DefaultNodePorts = PortRange{Min: 30000, Max: 32767}

// Options configure the structural checks.
type Options struct {
	// Target is the Kubernetes version the intent is compiled for.
	Target target.Version
	// NodePorts is the platform's node port range.
	NodePorts PortRange
}

// Check runs every structural check on wi and returns every problem found,
// each a deny finding with its intent field path. It never stops at the first.
func Check(wi *podcv1.WorkloadIntent, opts Options) []diag.Finding {
	var fs []diag.Finding
	if wi.GetName() == "" {
		fs = append(fs, diag.Denyf(diag.StageIntent, "name", "required"))
	}
	if len(wi.GetContainers()) == 0 {
		fs = append(fs, diag.Denyf(diag.StageIntent, "containers", "at least one container is required"))
	}
	return fs
}

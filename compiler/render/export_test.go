package render

import (
	"bytes"
	"encoding/json"

	"k8s.io/apimachinery/pkg/runtime"
)

// ViaJSON renders objs the way every object is rendered that the direct
// walk leaves to encoding/json: written by encoding/json, read back by the
// tree parser, pruned and written out.
func ViaJSON(objs []runtime.Object, f Format) ([][]byte, error) {
	st := states.Get().(*renderState)
	defer st.release()
	var out [][]byte
	for _, o := range objs {
		var b bytes.Buffer
		if err := json.NewEncoder(&b).Encode(o); err != nil {
			return nil, err
		}
		c, err := st.write(b.Bytes(), kindOf(o), f)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Walked reports whether Take walks every object of objs directly.
func Walked(objs []runtime.Object) (bool, error) {
	s, err := Take(objs)
	if err != nil {
		return false, err
	}
	for _, it := range s.items {
		if !it.walked {
			return false, nil
		}
	}
	return true, nil
}

package intent

import (
	"bytes"
	"encoding/json"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// place is where a value of a JSON or YAML document sits in the intent:
// its field path and, when the schema knows it, what the value should be.
type place struct {
	path  diag.Path
	md    protoreflect.MessageDescriptor // an object of this message
	isMap bool                           // an object of a map field: its keys are map keys
	list  protoreflect.FieldDescriptor   // an array of this repeated field
}

// maxPathKey is the longest key a path names; a longer one is left out.
const maxPathKey = 253

// rootPlace is the place of the whole intent.
func rootPlace() place {
	return place{md: (&podcv1.WorkloadIntent{}).ProtoReflect().Descriptor()}
}

// key is the place of the value under key k of the object at p. Inside a
// value the schema does not know (an unknown field, a scalar field given an
// object) the place stays the outermost such field's.
func (p place) key(k string) place {
	if len(k) > maxPathKey {
		return place{path: p.path} // the path would echo the key
	}
	if p.isMap {
		return place{path: p.path.Key(k)}
	}
	if p.md == nil {
		return p
	}
	c := place{path: p.path.Field(k)}
	fd := p.md.Fields().ByJSONName(k)
	if fd == nil {
		fd = p.md.Fields().ByName(protoreflect.Name(k)) // protojson accepts both names
	}
	switch {
	case fd == nil:
	case fd.IsMap():
		c.isMap = true
	case fd.IsList():
		c.list = fd
	case fd.Message() != nil:
		c.md = fd.Message()
	}
	return c
}

// index is the place of element i of the array at p.
func (p place) index(i int) place {
	if p.list == nil {
		return place{path: p.path}
	}
	return place{path: p.path.Index(i), md: p.list.Message()}
}

// jsonFrame is an object or array being read by jsonPathAt.
type jsonFrame struct {
	at     place
	array  bool
	index  int    // array: the next element's index
	key    string // object: the key whose value comes next
	hasKey bool
}

// next is the place of the value that comes next in the frame.
func (f *jsonFrame) next() place {
	if f.array {
		return f.at.index(f.index)
	}
	return f.at.key(f.key)
}

// jsonPathAt returns the intent field path of the JSON token that starts at
// byte offset off in data — "containers[0].ports[1].protocol", or
// `labels["team"]` for a map entry. It returns "" for the whole intent, or
// when data cannot be read that far.
func jsonPathAt(data []byte, off int) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*jsonFrame
	end := 0
	for {
		start := end
		for start < len(data) && bytes.IndexByte([]byte(" \t\r\n:,"), data[start]) >= 0 {
			start++
		}
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		end = int(dec.InputOffset())
		var top *jsonFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}

		// A key: its path is the field it names.
		if key, ok := tok.(string); ok && top != nil && !top.array && !top.hasKey {
			top.key, top.hasKey = key, true
			if start >= off {
				return top.next().path.String()
			}
			continue
		}

		// The end of an object or array: its path is the container's.
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			if top == nil {
				return ""
			}
			if start >= off {
				return top.at.path.String()
			}
			stack = stack[:len(stack)-1]
			valueDone(stack)
			continue
		}

		// A value: in an object under its key, in an array at its index.
		at := rootPlace()
		if top != nil {
			at = top.next()
		}
		if start >= off {
			return at.path.String()
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &jsonFrame{at: at})
		case json.Delim('['):
			stack = append(stack, &jsonFrame{at: at, array: true})
		default:
			valueDone(stack)
		}
	}
}

// valueDone moves the innermost frame past the value just read.
func valueDone(stack []*jsonFrame) {
	if len(stack) == 0 {
		return
	}
	top := stack[len(stack)-1]
	if top.array {
		top.index++
	} else {
		top.hasKey = false
	}
}

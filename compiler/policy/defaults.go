package policy

import (
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// A default a rule supplies: an intent field path and a value decoded from
// CUE (bool, int64, string or []string).
type pendingDefault struct {
	field  string
	value  any
	reason string
	// steps is field parsed, or pathErr why it does not parse: read once
	// when the outcome is made, as the outcome is cached and applied to
	// every intent it decides.
	steps   []pathStep
	pathErr error
	// shown is the value as text() renders it for the report, and source
	// the rule's diag.PolicySource.
	shown, source string
}

// settle parses d's field, finds the intent's fields it names and renders
// its value, once.
func (d *pendingDefault) settle() {
	d.steps, d.pathErr = parsePath(d.field)
	d.shown = d.text()
	md := (&podcv1.WorkloadIntent{}).ProtoReflect().Descriptor()
	for i := range d.steps {
		fd := md.Fields().ByJSONName(d.steps[i].name)
		if fd == nil {
			return // reported when applied
		}
		d.steps[i].fd = fd
		if md = fd.Message(); md == nil {
			return
		}
	}
}

// text renders the value for the report: true, 3, RuntimeDefault, ["ALL"].
func (d pendingDefault) text() string {
	switch v := d.value.(type) {
	case []string:
		q := make([]string, len(v))
		for i, s := range v {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	default:
		return fmt.Sprint(v)
	}
}

// pathStep is one step of an intent field path: a JSON field name, then
// optionally a list index or a map key.
type pathStep struct {
	name  string
	index int // -1 when none
	key   *string
	// fd is the field name names in the message the step is taken in,
	// when settle found it; nil: looked up when the default is applied.
	fd protoreflect.FieldDescriptor
}

// parsePath reads containers[0].securityContext.runAsNonRoot or
// labels["team"].
func parsePath(p string) ([]pathStep, error) {
	var steps []pathStep
	for len(p) > 0 {
		i := strings.IndexAny(p, ".[")
		st := pathStep{index: -1}
		if i < 0 {
			st.name, p = p, ""
		} else {
			st.name, p = p[:i], p[i:]
		}
		if st.name == "" {
			return nil, fmt.Errorf("empty field name")
		}
		if strings.HasPrefix(p, "[") {
			end := strings.IndexByte(p, ']')
			if strings.HasPrefix(p, `["`) {
				// A quoted key may hold ']' and '.': find the closing quote.
				k, rest, err := unquotePrefix(p[1:])
				if err != nil || !strings.HasPrefix(rest, "]") {
					return nil, fmt.Errorf("bad map key in %q", p)
				}
				st.key, p = &k, rest[1:]
			} else {
				if end < 0 {
					return nil, fmt.Errorf("unclosed [ in %q", p)
				}
				n, err := strconv.Atoi(p[1:end])
				if err != nil || n < 0 {
					return nil, fmt.Errorf("bad index %q", p[1:end])
				}
				st.index, p = n, p[end+1:]
			}
		}
		steps = append(steps, st)
		if strings.HasPrefix(p, ".") {
			p = p[1:]
			if p == "" {
				return nil, fmt.Errorf("path ends with '.'")
			}
		} else if p != "" {
			return nil, fmt.Errorf("unexpected %q", p)
		}
	}
	if len(steps) == 0 {
		return nil, fmt.Errorf("empty path")
	}
	return steps, nil
}

func unquotePrefix(s string) (string, string, error) {
	q, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", "", err
	}
	u, err := strconv.Unquote(q)
	return u, s[len(q):], err
}

// setDefaultSteps writes value at the intent field path in m unless the
// intent already sets it; steps is path parsed (parsePath), or pathErr the
// error parsing it gave. It reports whether it wrote anything; an error
// means the path or the value does not fit the intent's schema.
func setDefaultSteps(m protoreflect.Message, path string, steps []pathStep, pathErr error, value any) (bool, error) {
	if pathErr != nil {
		return false, fmt.Errorf("default at %q: %v", path, pathErr)
	}
	for n, st := range steps {
		fd := st.fd
		if fd == nil || fd.ContainingMessage() != m.Descriptor() {
			fd = m.Descriptor().Fields().ByJSONName(st.name)
		}
		if fd == nil {
			return false, fmt.Errorf("default at %q: the intent has no field %q", path, st.name)
		}
		last := n == len(steps)-1
		switch {
		case st.key != nil:
			if !fd.IsMap() || !last || fd.MapKey().Kind() != protoreflect.StringKind {
				return false, fmt.Errorf("default at %q: %s is not a map of scalars", path, st.name)
			}
			mp := m.Mutable(fd).Map()
			k := protoreflect.ValueOfString(*st.key).MapKey()
			if mp.Has(k) {
				return false, nil
			}
			v, err := scalar(fd.MapValue(), value)
			if err != nil {
				return false, fmt.Errorf("default at %q: %v", path, err)
			}
			mp.Set(k, v)
			return true, nil
		case st.index >= 0:
			if !fd.IsList() || fd.Kind() != protoreflect.MessageKind {
				return false, fmt.Errorf("default at %q: %s is not a list of messages", path, st.name)
			}
			if !m.Has(fd) || st.index >= m.Get(fd).List().Len() {
				return false, fmt.Errorf("default at %q: %s has no element %d", path, st.name, st.index)
			}
			if last {
				return false, fmt.Errorf("default at %q: cannot replace a whole list element", path)
			}
			m = m.Mutable(fd).List().Get(st.index).Message()
		case !last:
			if fd.Kind() != protoreflect.MessageKind || fd.IsList() || fd.IsMap() {
				return false, fmt.Errorf("default at %q: %s is not a message", path, st.name)
			}
			m = m.Mutable(fd).Message()
		default:
			return setLeaf(m, fd, value, path)
		}
	}
	return false, nil
}

func setLeaf(m protoreflect.Message, fd protoreflect.FieldDescriptor, value any, path string) (bool, error) {
	if fd.IsMap() || (!fd.IsList() && fd.Kind() == protoreflect.MessageKind) {
		return false, fmt.Errorf("default at %q: only scalar, enum and list-of-scalar fields take defaults", path)
	}
	if m.Has(fd) {
		return false, nil // set by the intent (or an empty list / zero enum, which Has reports unset)
	}
	if fd.IsList() {
		vals, ok := value.([]string)
		if !ok {
			return false, fmt.Errorf("default at %q: want a list of strings, got %T", path, value)
		}
		l := m.Mutable(fd).List()
		for _, s := range vals {
			v, err := scalar(fd, s)
			if err != nil {
				return false, fmt.Errorf("default at %q: %v", path, err)
			}
			l.Append(v)
		}
		return true, nil
	}
	v, err := scalar(fd, value)
	if err != nil {
		return false, fmt.Errorf("default at %q: %v", path, err)
	}
	m.Set(fd, v)
	return true, nil
}

// scalar converts a decoded CUE value to a proto value of fd's kind.
func scalar(fd protoreflect.FieldDescriptor, value any) (protoreflect.Value, error) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		if b, ok := value.(bool); ok {
			return protoreflect.ValueOfBool(b), nil
		}
	case protoreflect.StringKind:
		if s, ok := value.(string); ok {
			return protoreflect.ValueOfString(s), nil
		}
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		if n, ok := value.(int64); ok && n == int64(int32(n)) {
			return protoreflect.ValueOfInt32(int32(n)), nil
		}
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		if n, ok := value.(int64); ok {
			return protoreflect.ValueOfInt64(n), nil
		}
	case protoreflect.EnumKind:
		if s, ok := value.(string); ok {
			if ev := fd.Enum().Values().ByName(protoreflect.Name(s)); ev != nil {
				return protoreflect.ValueOfEnum(ev.Number()), nil
			}
			return protoreflect.Value{}, fmt.Errorf("%s has no value %q", fd.Enum().FullName(), s)
		}
	}
	return protoreflect.Value{}, fmt.Errorf("a %v field cannot take %T %v", fd.Kind(), value, value)
}

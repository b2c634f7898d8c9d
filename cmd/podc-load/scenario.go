package main

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// A mode is how the load is sent.
type mode string

const (
	// modeDistinct: unary Compile calls, each intent new (see variation).
	modeDistinct mode = "distinct"
	// modeIdentical: unary Compile calls of the same request every time.
	modeIdentical mode = "identical"
	// modeBatch: CompileBatch streams of -batch new intents each.
	modeBatch mode = "batch"
	// modeUnarySequential: rounds of -batch unary calls of new intents,
	// one after another on each stream: what a client without
	// CompileBatch does with the same work.
	modeUnarySequential mode = "unary-sequential"
	// modeHealth: unary grpc.health.v1 Check calls, no compile: the cost
	// of a call itself through the same server, connection and client,
	// the ceiling the other modes are measured against.
	modeHealth mode = "health"
)

var modes = []mode{modeDistinct, modeIdentical, modeBatch, modeUnarySequential, modeHealth}

func parseMode(s string) (mode, error) {
	if m := mode(s); slices.Contains(modes, m) {
		return m, nil
	}
	return "", fmt.Errorf("-mode %q: want distinct, identical, batch, unary-sequential or health", s)
}

// rounds reports whether the mode's unit of work is a round of -batch
// intents rather than one call.
func (m mode) rounds() bool { return m == modeBatch || m == modeUnarySequential }

// varies reports whether the mode sends new intents (see variation).
func (m mode) varies() bool { return m != modeIdentical && m != modeHealth }

// A variation says what changes from one intent to the next. podc
// remembers whole answers keyed by the whole request (so any change
// misses that cache), and each policy rule's outcome keyed by the fields
// that rule reads: a change reaches only the rules that read it.
type variation struct {
	// name gives every intent a new workload name, "NAME-SEQ": the
	// realistic case of a fleet. It reaches the rules that read the name,
	// the selector or the objects' names.
	name bool
	// label sets a new value of the label "load-seq" on every intent:
	// the rules that read the labels (restricted.team-label) are
	// evaluated for every call.
	label bool
	// image adds "-SEQ" to the tag of every image (a tag is added to an
	// image that has none; digests are kept): every per-container rule
	// that reads the image is evaluated for every call.
	image bool
	// run, when set, goes before each sequence number, so that two runs
	// against the same server send different intents.
	run string
}

func parseVariation(s string) (variation, error) {
	var v variation
	for _, part := range strings.Split(s, ",") {
		switch strings.TrimSpace(part) {
		case "name":
			v.name = true
		case "label":
			v.label = true
		case "image":
			v.image = true
		case "none", "":
		default:
			return variation{}, fmt.Errorf("-vary %q: want a list of name, label and image, or none", s)
		}
	}
	return v, nil
}

// any reports whether anything varies.
func (v variation) any() bool { return v.name || v.label || v.image }

// runTag returns a short random tag for variation.run.
func runTag() string {
	return strconv.FormatUint(rand.Uint64()%(36*36*36*36), 36)
}

func (v variation) String() string {
	var parts []string
	for _, p := range []struct {
		on   bool
		name string
	}{{v.name, "name"}, {v.label, "label"}, {v.image, "image"}} {
		if p.on {
			parts = append(parts, p.name)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

// maxNameLength is the longest workload name: a DNS-1123 label.
const maxNameLength = 63

// intent returns the base intent varied for the seq-th intent of the run
// (from 1); the base itself when nothing varies. The base is not changed:
// the intent shares with it every part that does not vary, which is only
// read (sent) from then on. A deep copy per intent cost the driver more
// than a tenth of its CPU, taken from the server beside it.
func (v variation) intent(base *podcv1.WorkloadIntent, seq int64) *podcv1.WorkloadIntent {
	if !v.any() {
		return base
	}
	wi := shallow(base)
	suffix := strconv.FormatInt(seq, 10)
	if v.run != "" {
		suffix = v.run + "-" + suffix
	}
	if v.name {
		wi.Name = seqName(wi.GetName(), suffix)
	}
	if v.label {
		wi.Labels = maps.Clone(wi.GetLabels())
		if wi.Labels == nil {
			wi.Labels = map[string]string{}
		}
		wi.Labels["load-seq"] = suffix
	}
	if v.image {
		for _, group := range []*[]*podcv1.Container{&wi.InitSteps, &wi.Containers, &wi.Sidecars} {
			cs := make([]*podcv1.Container, len(*group))
			for i, c := range *group {
				cs[i] = shallow(c)
				cs[i].Image = seqImage(c.GetImage(), suffix)
			}
			*group = cs
		}
	}
	return wi
}

// shallow is a copy of m whose fields hold m's values: its messages,
// lists and maps are m's own, not copies.
func shallow[M proto.Message](m M) M {
	src := m.ProtoReflect()
	dst := src.New()
	src.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		dst.Set(fd, v)
		return true
	})
	return dst.Interface().(M)
}

// seqName is "NAME-SUFFIX", NAME cut so that the whole stays a DNS-1123
// label.
func seqName(name, suffix string) string {
	keep := maxNameLength - len(suffix) - 1
	if len(name) > keep {
		name = strings.TrimRight(name[:keep], "-")
	}
	if name == "" {
		return "load-" + suffix
	}
	return name + "-" + suffix
}

// seqImage adds "-SUFFIX" to an image's tag, or the tag "v0-SUFFIX" to an
// image without one; an image pinned by digest is kept as it is.
func seqImage(image, suffix string) string {
	if strings.Contains(image, "@") || image == "" {
		return image
	}
	slash := strings.LastIndexByte(image, '/')
	if colon := strings.LastIndexByte(image, ':'); colon > slash {
		return image + "-" + suffix
	}
	return image + ":v0-" + suffix
}

package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

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
// (from 1); the base itself when nothing varies. The base is not changed.
func (v variation) intent(base *podcv1.WorkloadIntent, seq int64) *podcv1.WorkloadIntent {
	if !v.any() {
		return base
	}
	wi := proto.Clone(base).(*podcv1.WorkloadIntent)
	suffix := strconv.FormatInt(seq, 10)
	if v.run != "" {
		suffix = v.run + "-" + suffix
	}
	if v.name {
		wi.Name = seqName(wi.GetName(), suffix)
	}
	if v.label {
		if wi.Labels == nil {
			wi.Labels = map[string]string{}
		}
		wi.Labels["load-seq"] = suffix
	}
	if v.image {
		for _, group := range [][]*podcv1.Container{wi.GetInitSteps(), wi.GetContainers(), wi.GetSidecars()} {
			for _, c := range group {
				c.Image = seqImage(c.GetImage(), suffix)
			}
		}
	}
	return wi
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

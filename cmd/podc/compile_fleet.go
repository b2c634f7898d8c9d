package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/podc-dev/podc/compiler/render"
)

// fleetOptions configure a podc compile of many intents.
type fleetOptions struct {
	job      compileJob
	files    []string // the -f values
	stream   bool
	outDir   string
	jobs     int // intents compiled at once
	maxInput int64
	digest   string // the policy bundle's, for the summary
}

// fleetResult is one intent's outcome, waiting for its turn to be
// written.
type fleetResult struct {
	unit     unit
	code     int
	messages []byte // what the compile said, for stderr
	out      []byte // the rendered manifests when it compiled
	workload string // NAMESPACE.NAME or NAME, when it compiled
	took     time.Duration
}

// compileFleet compiles every intent of opts.files with one engine, up to
// opts.jobs at once, and writes the outcomes in input order: the
// manifests to stdout (each workload's after a "# source: ..." comment
// line, or as one JSON line with -o json) or to files in opts.outDir;
// every message on stderr after its intent's source. A refused or
// unreadable intent does not stop the others. At most 2 x jobs outcomes
// wait in memory at once, however many intents there are. It returns the
// worst exit code: 0 all compiled, 1 some refused, 2 some could not be
// read or written or met a fault of podc.
func compileFleet(opts fleetOptions, stdin io.Reader, stdout, stderr io.Writer) int {
	start := time.Now()
	if opts.outDir != "" {
		if err := os.MkdirAll(opts.outDir, 0o755); err != nil {
			fmt.Fprintf(stderr, "podc compile: --out-dir: %v\n", err)
			return exitUsage
		}
	}
	w := &fleetWriter{opts: opts, stdout: stdout, stderr: stderr, written: map[string]string{}}
	var stop atomic.Bool
	pending := make(chan chan fleetResult, 2*opts.jobs)
	slots := make(chan struct{}, opts.jobs)
	go func() {
		defer close(pending)
		inputs(opts.files, opts.stream, stdin, opts.maxInput, func(u unit) bool {
			if stop.Load() {
				return false
			}
			done := make(chan fleetResult, 1)
			pending <- done // waits while 2 x jobs outcomes wait their turn
			slots <- struct{}{}
			go func() {
				defer func() { <-slots }()
				done <- opts.compileUnit(u)
			}()
			return true
		})
	}()
	for done := range pending {
		if !w.write(<-done) {
			stop.Store(true)
		}
	}
	return w.summary(time.Since(start))
}

// compileUnit reads the unit's intent when it is a file and compiles it.
// A panic, a fault of podc, fails this intent alone (exit 2).
func (o fleetOptions) compileUnit(u unit) (r fleetResult) {
	start := time.Now()
	r = fleetResult{unit: u}
	defer func() {
		if p := recover(); p != nil {
			r.code, r.out = exitUsage, nil
			r.messages = fmt.Appendf(r.messages, "podc compile: internal error: %v\n", p)
		}
	}()
	data, err := u.data, u.err
	if err == nil && u.path != "" {
		data, err = readInput(u.path, nil, o.maxInput)
	}
	if err != nil {
		r.code, r.messages = exitUsage, []byte(err.Error()+"\n")
		return r
	}
	var msgs bytes.Buffer
	res, code := o.job.run(data, &msgs)
	r.code, r.messages = code, msgs.Bytes()
	if res != nil {
		r.out = render.Stream(res.Manifests, o.job.format)
		r.workload = workloadName(res.Manifests)
	}
	r.took = time.Since(start)
	return r
}

// workloadName is the compiled workload's NAMESPACE.NAME, or NAME when
// it names no namespace: the workload comes first among the manifests.
func workloadName(ms []render.Manifest) string {
	if len(ms) == 0 {
		return ""
	}
	if ms[0].Namespace != "" {
		return ms[0].Namespace + "." + ms[0].Name
	}
	return ms[0].Name
}

// fleetWriter writes the outcomes in order and counts them. Not safe for
// concurrent use.
type fleetWriter struct {
	opts           fleetOptions
	stdout, stderr io.Writer
	// written maps each file written to --out-dir to the source it came
	// from: two intents may not write one file.
	written                   map[string]string
	compiled, refused, failed int
	busy                      time.Duration // the compiles' own time, summed
	timed                     int           // the intents read and compiled, refused or not
	code                      int
	broken                    bool // stdout cannot be written
}

// write writes one outcome; it returns false when stdout cannot be
// written any more.
func (w *fleetWriter) write(r fleetResult) bool {
	prefix := oneLine(r.unit.source) + ": "
	if r.unit.line > 0 && bytes.Contains(r.messages, []byte("(at ")) {
		fmt.Fprintf(w.stderr, "%sthe document starts at line %d; the positions below are within it\n", prefix, r.unit.line)
	}
	writePrefixed(w.stderr, prefix, r.messages)
	if r.took > 0 {
		w.busy += r.took
		w.timed++
	}
	if r.code == exitOK {
		r.code = w.output(r)
	}
	w.code = max(w.code, r.code)
	switch r.code {
	case exitOK:
		w.compiled++
	case exitRefused:
		w.refused++
	default:
		w.failed++
	}
	return !w.broken
}

// output writes a compiled workload's manifests and returns the exit
// code: 2 when they could not be written.
func (w *fleetWriter) output(r fleetResult) int {
	if w.opts.outDir == "" {
		var err error
		if w.opts.job.format == render.JSON {
			err = writeJSONLine(w.stdout, r.unit.source, r.out)
		} else {
			_, err = fmt.Fprintf(w.stdout, "# source: %s\n%s", oneLine(r.unit.source), r.out)
		}
		if err != nil {
			w.broken = true
			fmt.Fprintf(w.stderr, "podc compile: stdout: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	name := r.unit.outName
	if name == "" {
		name = r.workload
	}
	file := name + "." + map[render.Format]string{render.YAML: "yaml", render.JSON: "json"}[w.opts.job.format]
	if prev, ok := w.written[file]; ok {
		fmt.Fprintf(w.stderr, "%s: --out-dir: %s is already written for %s\n", oneLine(r.unit.source), file, oneLine(prev))
		return exitUsage
	}
	w.written[file] = r.unit.source
	if err := os.WriteFile(filepath.Join(w.opts.outDir, file), r.out, 0o644); err != nil {
		fmt.Fprintf(w.stderr, "%s: %v\n", oneLine(r.unit.source), err)
		return exitUsage
	}
	return exitOK
}

// writeJSONLine writes {"source": ..., "manifests": [...]} on one line.
func writeJSONLine(w io.Writer, source string, list []byte) error {
	var line bytes.Buffer
	src, _ := json.Marshal(source)
	line.WriteString(`{"source":`)
	line.Write(src)
	line.WriteString(`,"manifests":`)
	if err := json.Compact(&line, list); err != nil {
		return err
	}
	line.WriteString("}\n")
	_, err := w.Write(line.Bytes())
	return err
}

// summary prints the run's counts and cost on stderr and returns the
// exit code.
func (w *fleetWriter) summary(elapsed time.Duration) int {
	n := w.compiled + w.refused + w.failed
	if n == 0 {
		fmt.Fprintln(w.stderr, "podc compile: no intents found (a directory is read for *.json, *.yaml and *.yml files)")
		return exitUsage
	}
	fmt.Fprintf(w.stderr, "podc compile: %d intents: %d compiled, %d refused, %d failed in %s: %s per intent, %d at a time, each compile %s on average; policy bundle %s\n",
		n, w.compiled, w.refused, w.failed, elapsed.Round(time.Millisecond),
		(elapsed / time.Duration(n)).Round(time.Microsecond), w.opts.jobs,
		(w.busy / time.Duration(max(w.timed, 1))).Round(time.Microsecond), w.opts.digest)
	return w.code
}

// writePrefixed writes each line of text after prefix.
func writePrefixed(w io.Writer, prefix string, text []byte) {
	for len(text) > 0 {
		line, rest, _ := bytes.Cut(text, []byte("\n"))
		fmt.Fprintf(w, "%s%s\n", prefix, line)
		text = rest
	}
}

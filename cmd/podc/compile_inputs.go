package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// filesFlag is a repeatable -f: each value a file, a directory or "-".
type filesFlag []string

func (f *filesFlag) String() string { return strings.Join(*f, ",") }

func (f *filesFlag) Set(s string) error {
	if s == "" {
		return errors.New("want a file, a directory or -")
	}
	*f = append(*f, s)
	return nil
}

// intentExts are the file name endings a directory's intents have.
var intentExts = []string{".json", ".yaml", ".yml"}

// unit is one intent of a podc compile run: a file, standard input, or
// one document of a stream.
type unit struct {
	// source names the intent in messages: the path as given (a
	// directory's files joined to it), "stdin", and "#N" after either
	// for the Nth document of a stream.
	source string
	// path is the file to read the intent from, in the worker; empty when
	// data holds it or err says why there is none.
	path string
	data []byte
	// line is the line of its input where a stream document starts: a
	// position "(at L:C)" in a message about it is on line line+L-1.
	// Zero for a whole file.
	line int
	// outName is the file name in --out-dir without its ending: the
	// file's base name; empty for standard input and stream documents,
	// which are named after their workload.
	outName string
	// err is why the input could not be read (exit 2).
	err error
}

// inputs lists a run's intents in order: each -f value in turn, a
// directory's *.json, *.yaml and *.yml files (not its subdirectories) in
// name order. With stream set, each file and standard input is a YAML
// stream and each of its documents an intent; otherwise each is one
// intent. Files are read by whoever compiles the unit; streams are read
// here, one document at a time, so a long stream never sits in memory.
// yield returning false stops the listing.
func inputs(args []string, stream bool, stdin io.Reader, limit int64, yield func(unit) bool) {
	for _, arg := range args {
		if arg == "-" {
			if stream {
				if !streamUnits("stdin", stdin, limit, yield) {
					return
				}
				continue
			}
			data, err := readInput("-", stdin, limit)
			if !yield(unit{source: "stdin", data: data, err: err}) {
				return
			}
			continue
		}
		st, err := os.Stat(arg)
		if err != nil {
			if !yield(unit{source: arg, err: err}) {
				return
			}
			continue
		}
		files := []string{arg}
		if st.IsDir() {
			if files, err = dirIntents(arg); err != nil {
				if !yield(unit{source: arg, err: err}) {
					return
				}
				continue
			}
		}
		for _, f := range files {
			if !fileUnits(f, stream, limit, yield) {
				return
			}
		}
	}
}

// dirIntents returns the intent files directly in dir, sorted by name.
func dirIntents(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir) // sorted by file name
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() || !hasIntentExt(e.Name()) {
			continue
		}
		out = append(out, filepath.Join(dir, e.Name()))
	}
	return out, nil
}

func hasIntentExt(name string) bool {
	for _, ext := range intentExts {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// fileUnits yields one file's units: the file itself, or its documents.
func fileUnits(path string, stream bool, limit int64, yield func(unit) bool) bool {
	if !stream {
		base := filepath.Base(path)
		return yield(unit{source: path, path: path, outName: strings.TrimSuffix(base, filepath.Ext(base))})
	}
	f, err := os.Open(path)
	if err != nil {
		return yield(unit{source: path, err: err})
	}
	defer f.Close()
	return streamUnits(path, f, limit, yield)
}

// streamUnits yields the documents of a YAML stream as units named
// NAME#N.
func streamUnits(name string, r io.Reader, limit int64, yield func(unit) bool) bool {
	err := documents(r, limit, func(d document) bool {
		u := unit{source: fmt.Sprintf("%s#%d", name, d.index), data: d.data, line: d.line}
		if d.tooLarge {
			u.data, u.err = nil, fmt.Errorf("document %d (line %d): more than --max-input-bytes %d", d.index, d.line, limit)
		}
		return yield(u)
	})
	if errors.Is(err, errStopped) {
		return false
	}
	if err != nil {
		return yield(unit{source: name, err: err})
	}
	return true
}

// document is one document of a YAML stream.
type document struct {
	// index counts the stream's documents that are not empty, from 1.
	index int
	// line is the line of the stream where the document's text starts,
	// from 1.
	line int
	data []byte
	// tooLarge is set, and data empty, for a document beyond the limit.
	tooLarge bool
}

var errStopped = errors.New("stopped")

// documents reads a YAML stream and calls yield for each document in it
// that holds more than blank lines, comments and directives. Documents
// are separated by a line "---" (which may carry the next document's
// first content after a space: "--- {...}") or ended by a line "...", as
// YAML has it: such a line is never part of a document's content.
//
// At most limit bytes of one document are kept: a longer one is yielded
// as too large, without its text. It returns errStopped when yield
// returns false, or the error of the reader.
func documents(r io.Reader, limit int64, yield func(document) bool) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var (
		buf      bytes.Buffer
		index    int
		start    int  // the line of the current document's first text
		lineNo   int  // the line just read
		tooLarge bool // the current document is beyond the limit
		content  bool // the current document holds more than comments
	)
	flush := func() bool {
		defer func() { buf.Reset(); tooLarge, content = false, false }()
		if !content {
			return true
		}
		index++
		d := document{index: index, line: start, tooLarge: tooLarge}
		if !tooLarge {
			d.data = bytes.Clone(buf.Bytes())
		}
		return yield(d)
	}
	add := func(line []byte) {
		if tooLarge {
			return
		}
		if buf.Len() == 0 {
			start = lineNo
		}
		if int64(buf.Len()+len(line)) > limit {
			tooLarge, content = true, true
			buf.Reset()
			return
		}
		buf.Write(line)
		if !content {
			t := bytes.TrimSpace(line)
			content = len(t) > 0 && t[0] != '#' && t[0] != '%'
		}
	}
	for {
		line, err := readLine(br, limit)
		if len(line) > 0 {
			lineNo++
			switch marker, rest := documentMarker(line); marker {
			case "---":
				if !flush() {
					return errStopped
				}
				if rest != nil {
					add(rest)
				}
			case "...":
				if !flush() {
					return errStopped
				}
			default:
				add(line)
			}
		}
		if errors.Is(err, io.EOF) {
			if !flush() {
				return errStopped
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// readLine reads one line with its newline, or what is left at the end.
// A line longer than limit is returned cut to limit+1 bytes (the rest is
// skipped), which is enough to tell that its document is too large.
func readLine(br *bufio.Reader, limit int64) ([]byte, error) {
	var line []byte
	for {
		part, err := br.ReadSlice('\n')
		if int64(len(line)) <= limit {
			line = append(line, part[:min(int64(len(part)), limit+1-int64(len(line)))]...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return line, err
	}
}

// documentMarker tells whether line is a document marker, "---" or
// "...", at its start and followed by a space, a tab or the line's end.
// For "---" followed by more, rest is the line with the marker blanked
// out, so columns stay where they were. A "..." followed by anything but
// a comment is no marker: the document's decode then refuses the line.
func documentMarker(line []byte) (marker string, rest []byte) {
	for _, m := range []string{"---", "..."} {
		after, ok := bytes.CutPrefix(line, []byte(m))
		if !ok {
			continue
		}
		trimmed := bytes.TrimSpace(after)
		switch {
		case len(trimmed) == 0:
			return m, nil
		case after[0] != ' ' && after[0] != '\t':
			return "", nil
		case m == "---":
			return m, append([]byte("   "), after...)
		case trimmed[0] == '#':
			return m, nil
		}
	}
	return "", nil
}

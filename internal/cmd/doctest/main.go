// Command doctest runs what the project's Markdown shows against a real
// "podc serve", so the docs cannot drift from what podc does:
//
//   - every grpcurl command in a shell block (sh, bash). A block with a
//     "podc serve ..." line gets its own server started with those flags;
//     the others share one plaintext server. The files such a line names
//     (server.pem, server-key.pem, ca.pem, clients-ca.pem, client.pem,
//     client-key.pem, tokens) are made for the run, $TOKEN holds a valid
//     token, and the commands run in a folder where examples/ is the
//     repository's. A command must exit 0, unless the block's info string
//     says fails=CODE: then it must fail with that gRPC code.
//   - every go, ts or python block whose info string has the word "test":
//     a whole program, run with the SDK of this repository. When the next
//     block is marked "output", the program must print exactly that.
//
// "localhost:50051" in a command or program stands for the server's
// address. Usage:
//
//	doctest -podc BIN -grpcurl BIN [-python PY] FILE.md...
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/podc-dev/podc/internal/doctest"
)

// snippetTimeout bounds one command or program, the build of a Go program
// included.
const snippetTimeout = 5 * time.Minute

func main() {
	podc := flag.String("podc", "", "the podc binary")
	grpcurl := flag.String("grpcurl", "", "the grpcurl binary")
	python := flag.String("python", "python3", "the Python interpreter that has grpcio and protobuf")
	flag.Parse()
	if *podc == "" || *grpcurl == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: doctest -podc BIN -grpcurl BIN [-python PY] FILE.md...")
		os.Exit(2)
	}
	r, err := newRunner(*podc, *grpcurl, *python)
	if err != nil {
		fmt.Fprintln(os.Stderr, "doctest:", err)
		os.Exit(2)
	}
	defer r.close()
	for _, file := range flag.Args() {
		if err := r.file(file); err != nil {
			r.fail(file, 0, err)
		}
	}
	r.close()
	fmt.Printf("doctest: %d passed, %d failed\n", r.passed, r.failed)
	if r.failed > 0 || r.passed == 0 {
		os.Exit(1)
	}
}

// file runs the runnable blocks of one Markdown file.
func (r *runner) file(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	blocks := doctest.Parse(string(data))
	for i, b := range blocks {
		switch {
		case (b.Lang == "sh" || b.Lang == "bash") && len(doctest.Commands(b.Text, "grpcurl")) > 0:
			r.shell(path, b)
		case b.Has("test"):
			want, check := "", false
			if i+1 < len(blocks) && blocks[i+1].Has("output") || i+1 < len(blocks) && blocks[i+1].Lang == "output" {
				want, check = blocks[i+1].Text, true
			}
			out, err := r.program(b)
			if err == nil && check && out != want {
				err = fmt.Errorf("printed:\n%s\nthe docs say:\n%s", out, want)
			}
			r.report(path, b.Line, b.Lang+" program", err)
		}
	}
	return nil
}

// shell runs a shell block's grpcurl commands. A block with a
// "podc serve" line starts that server, which then serves the blocks after
// it until the next such line; a command with -plaintext goes to the
// shared plaintext server.
func (r *runner) shell(path string, b doctest.Block) {
	if args, ok := doctest.ServeArgs(b.Text); ok {
		r.stopConfigured()
		s, err := r.serve(args)
		if err != nil {
			r.report(path, b.Line, "podc serve "+strings.Join(args, " "), err)
			return
		}
		r.configured = s
	}
	wantCode, fails := b.Attr("fails")
	for _, cmd := range doctest.Commands(b.Text, "grpcurl") {
		s, err := r.serverFor(cmd)
		if err != nil {
			r.report(path, b.Line, cmd, err)
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), snippetTimeout)
		out, err := r.run(ctx, r.fixture, nil, "bash", "-c", strings.ReplaceAll(cmd, "localhost:50051", s.addr))
		cancel()
		switch {
		case fails && err == nil:
			err = fmt.Errorf("succeeded; the docs say it fails with %s:\n%s", wantCode, clip(out))
		case fails && !bytes.Contains(out, []byte("Code: "+wantCode)):
			err = fmt.Errorf("did not fail with %s: %v\n%s", wantCode, err, clip(out))
		case fails:
			err = nil
		case err != nil:
			err = fmt.Errorf("%v\n%s", err, clip(out))
		}
		r.report(path, b.Line, cmd, err)
	}
}

// serverFor is the server a grpcurl command goes to.
func (r *runner) serverFor(cmd string) (*server, error) {
	if strings.Contains(cmd, " -plaintext ") {
		return r.sharedPlaintext()
	}
	if r.configured == nil {
		return nil, errors.New("no server for a command without -plaintext: no \"podc serve\" line above it")
	}
	return r.configured, nil
}

// clip shortens a command's output for a failure message.
func clip(out []byte) []byte {
	const max = 2000
	if len(out) > max {
		return append(out[:max:max], "\n..."...)
	}
	return out
}

// report counts and prints one outcome.
func (r *runner) report(path string, line int, what string, err error) {
	if len(what) > 100 {
		what = what[:97] + "..."
	}
	where := filepath.ToSlash(path)
	if line > 0 {
		where += fmt.Sprintf(":%d", line)
	}
	if err != nil {
		r.failed++
		fmt.Printf("doctest: FAIL %s: %s: %v\n", where, what, err)
		return
	}
	r.passed++
	fmt.Printf("doctest: ok %s: %s\n", where, what)
}

// fail reports a file that could not be read.
func (r *runner) fail(path string, line int, err error) { r.report(path, line, "read", err) }

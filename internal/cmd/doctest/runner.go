package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/podc-dev/podc/internal/testpki"
)

// runner holds what the runs share: the binaries, a fixture folder with
// the files the docs name, and the shared plaintext server.
type runner struct {
	podc, grpcurl, python string
	repo                  string // the repository root (the working directory)
	fixture               string // where shell commands run
	token                 string
	shared                *server // the plaintext server, once started
	configured            *server // the server of the last "podc serve" line
	passed, failed        int
}

func newRunner(podc, grpcurl, python string) (*runner, error) {
	repo, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	r := &runner{repo: repo, python: python, token: "doctest-token-" + fmt.Sprint(os.Getpid())}
	if r.podc, err = filepath.Abs(podc); err != nil {
		return nil, err
	}
	if r.grpcurl, err = filepath.Abs(grpcurl); err != nil {
		return nil, err
	}
	if r.fixture, err = os.MkdirTemp("", "podc-doctest"); err != nil {
		return nil, err
	}
	if err := r.makeFixture(); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

// makeFixture writes the files the docs' commands name: a server
// certificate for localhost signed by ca.pem, a client certificate signed
// by clients-ca.pem, a token file, and examples/.
func (r *runner) makeFixture() error {
	ca, err := testpki.NewCA("doctest CA")
	if err != nil {
		return err
	}
	clients, err := testpki.NewCA("doctest clients CA")
	if err != nil {
		return err
	}
	srv, err := ca.Server("podc")
	if err != nil {
		return err
	}
	cli, err := clients.Client("doctest")
	if err != nil {
		return err
	}
	if _, _, err := srv.Write(r.fixture, "server"); err != nil {
		return err
	}
	if _, _, err := cli.Write(r.fixture, "client"); err != nil {
		return err
	}
	for name, data := range map[string][]byte{
		"ca.pem":         ca.PEM,
		"clients-ca.pem": clients.PEM,
		"tokens":         []byte("# doctest\n" + r.token + "\n"),
	} {
		if err := os.WriteFile(filepath.Join(r.fixture, name), data, 0o600); err != nil {
			return err
		}
	}
	return os.Symlink(filepath.Join(r.repo, "examples"), filepath.Join(r.fixture, "examples"))
}

// sharedPlaintext returns the shared plaintext server, started on first
// use.
func (r *runner) sharedPlaintext() (*server, error) {
	if r.shared == nil {
		s, err := r.serve(nil)
		if err != nil {
			return nil, err
		}
		r.shared = s
	}
	return r.shared, nil
}

// stopConfigured stops the server of the last "podc serve" line.
func (r *runner) stopConfigured() {
	if r.configured != nil {
		r.report("podc serve "+strings.Join(r.configured.args, " "), 0, "exits 0 on SIGTERM", r.configured.stop())
		r.configured = nil
	}
}

func (r *runner) close() {
	r.stopConfigured()
	if r.shared != nil {
		r.report("podc serve", 0, "exits 0 on SIGTERM", r.shared.stop())
		r.shared = nil
	}
	if r.fixture != "" {
		os.RemoveAll(r.fixture)
		r.fixture = ""
	}
}

// run runs a command in dir with the grpcurl binary first on PATH, $TOKEN
// set and env added; it returns stdout and stderr together.
func (r *runner) run(ctx context.Context, dir string, env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	bin := filepath.Join(r.fixture, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return nil, err
	}
	link := filepath.Join(bin, "grpcurl")
	if _, err := os.Lstat(link); errors.Is(err, os.ErrNotExist) {
		if err := os.Symlink(r.grpcurl, link); err != nil {
			return nil, err
		}
	}
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "TOKEN="+r.token)
	cmd.Env = append(cmd.Env, env...)
	return cmd.CombinedOutput()
}

// server is a running podc serve.
type server struct {
	cmd  *exec.Cmd
	args []string // the flags the docs gave
	addr string
}

// serve starts podc serve with args on a free loopback port, in the
// fixture folder.
func (r *runner) serve(flags []string) (*server, error) {
	args := append(append([]string{"serve"}, flags...), "--addr", "127.0.0.1:0", "--log-format", "json", "--drain-delay", "0")
	cmd := exec.Command(r.podc, args...)
	cmd.Dir = r.fixture
	logs, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	found := make(chan string, 1)
	var seen strings.Builder
	go func() {
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "podc serving" {
				found <- line.Addr
				break
			}
			seen.WriteString(sc.Text() + "\n")
		}
		close(found)
		_, _ = io.Copy(io.Discard, logs)
	}()
	select {
	case addr, ok := <-found:
		if !ok {
			_ = cmd.Wait()
			return nil, fmt.Errorf("podc serve exited before serving:\n%s", seen.String())
		}
		return &server{cmd: cmd, args: flags, addr: addr}, nil
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, errors.New("podc serve did not report its address")
	}
}

// stop stops the server with SIGTERM; it must exit 0.
func (s *server) stop() error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	if err := s.cmd.Wait(); err != nil {
		return fmt.Errorf("podc serve after SIGTERM: %v", err)
	}
	return nil
}

package podc_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	podcv1 "github.com/podc-dev/podc/clients/go/gen/podc/v1"
)

// addr is the address of the real podc server the tests and examples
// call: PODC_ADDR if set, otherwise a "podc serve" that TestMain starts
// on a free loopback port (the binary at PODC_BIN, or one built from this
// repository). Tests of TLS and tokens start servers of their own.
var addr string

// repoRoot is the root of the repository, which holds examples/ and
// cmd/podc.
const repoRoot = "../../.."

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	defer removeBuilt()
	if addr = os.Getenv("PODC_ADDR"); addr != "" {
		return m.Run()
	}
	a, stop, err := startServer("")
	if err != nil {
		fmt.Fprintln(os.Stderr, "podc client tests:", err)
		return 1
	}
	addr = a
	code := m.Run()
	if err := stop(); err != nil {
		fmt.Fprintln(os.Stderr, "podc client tests:", err)
		return 1
	}
	return code
}

var (
	buildOnce sync.Once
	builtDir  string
	binPath   string
	binErr    error
)

// podcBinary is PODC_BIN, or a podc built from this repository once.
func podcBinary() (string, error) {
	buildOnce.Do(func() {
		if binPath = os.Getenv("PODC_BIN"); binPath != "" {
			return
		}
		if builtDir, binErr = os.MkdirTemp("", "podc-client-test"); binErr != nil {
			return
		}
		binPath = filepath.Join(builtDir, "podc")
		build := exec.Command("go", "build", "-o", binPath, "./cmd/podc")
		build.Dir = repoRoot
		if out, err := build.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("building podc: %v\n%s", err, out)
		}
	})
	return binPath, binErr
}

func removeBuilt() {
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
}

// startServer starts "podc serve" with flags on a free loopback port, in
// dir (the current directory if empty), and returns its address and a
// function that stops it with SIGTERM and checks that it exits 0.
func startServer(dir string, flags ...string) (string, func() error, error) {
	bin, err := podcBinary()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, append(append([]string{"serve"}, flags...), "--addr", "127.0.0.1:0", "--log-format", "json", "--drain-delay", "0")...)
	cmd.Dir = dir
	logs, err := cmd.StderrPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "podc serving" {
				found <- line.Addr
				break
			}
		}
		close(found)
		_, _ = io.Copy(io.Discard, logs)
	}()
	var a string
	select {
	case got, ok := <-found:
		if !ok {
			_ = cmd.Wait()
			return "", nil, fmt.Errorf("podc serve %v exited before serving", flags)
		}
		a = got
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		return "", nil, fmt.Errorf("podc serve did not report its address")
	}
	return a, func() error {
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			return err
		}
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("podc serve after SIGTERM: %v", err)
		}
		return nil
	}, nil
}

// example reads examples/NAME.json.
func example(t testing.TB, name string) *podcv1.WorkloadIntent {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "examples", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	wi := &podcv1.WorkloadIntent{}
	if err := protojson.Unmarshal(data, wi); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return wi
}

// intent decodes a protojson intent.
func intent(t testing.TB, js string) *podcv1.WorkloadIntent {
	t.Helper()
	wi := &podcv1.WorkloadIntent{}
	if err := protojson.Unmarshal([]byte(js), wi); err != nil {
		t.Fatal(err)
	}
	return wi
}

// malformed is the README's refused intent: a bad name and a port out of
// range.
const malformed = `{"name": "Hello_World", "containers": [{"name": "web", "image": "nginx:1.27.3", "ports": [{"name": "http", "containerPort": 70000}]}]}`

// denied is an intent the baseline policies deny: it asks for the node's
// network namespace.
const denied = `{"name": "agent", "hostNetwork": true, "containers": [{"name": "agent", "image": "registry.example.com/agent:2.0.1"}]}`

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// kinds lists "Kind/name" of each manifest.
func kinds(ms []*podcv1.Manifest) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.GetKind()+"/"+m.GetName())
	}
	return strings.Join(out, " ")
}

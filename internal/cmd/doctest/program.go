package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/podc-dev/podc/internal/doctest"
)

// program runs a go, ts or python block as a whole program against the
// shared server, with this repository's SDK, and returns its stdout.
func (r *runner) program(b doctest.Block) (string, error) {
	s, err := r.sharedPlaintext()
	if err != nil {
		return "", err
	}
	src := strings.ReplaceAll(b.Text, "localhost:50051", s.addr)
	dir, err := os.MkdirTemp("", "podc-doctest-program")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), snippetTimeout)
	defer cancel()
	switch b.Lang {
	case "go":
		return r.goProgram(ctx, dir, src)
	case "ts", "typescript":
		return r.tsProgram(ctx, src)
	case "python", "py":
		return r.pyProgram(ctx, dir, src)
	}
	return "", fmt.Errorf("no way to run a %q block", b.Lang)
}

// stdout runs a program and returns its output; on failure the error
// carries everything it printed.
func (r *runner) stdout(ctx context.Context, dir string, env []string, name string, args ...string) (string, error) {
	out, err := r.run(ctx, dir, env, name, args...)
	if err != nil {
		return "", fmt.Errorf("%s: %v\n%s", name, err, out)
	}
	return string(out), nil
}

var replaceSDK = regexp.MustCompile(`(?m)^replace github.com/podc-dev/podc/clients/go => .*$`)

// goProgram runs a Go program in a module made like
// clients/go/example/consumer, whose go.sum it shares.
func (r *runner) goProgram(ctx context.Context, dir, src string) (string, error) {
	consumer := filepath.Join(r.repo, "clients", "go", "example", "consumer")
	mod, err := os.ReadFile(filepath.Join(consumer, "go.mod"))
	if err != nil {
		return "", err
	}
	sum, err := os.ReadFile(filepath.Join(consumer, "go.sum"))
	if err != nil {
		return "", err
	}
	mod = replaceSDK.ReplaceAll(mod, []byte("replace github.com/podc-dev/podc/clients/go => "+filepath.Join(r.repo, "clients", "go")))
	for name, data := range map[string][]byte{"go.mod": mod, "go.sum": sum, "main.go": []byte(src)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", err
		}
	}
	return r.stdout(ctx, dir, nil, "go", "run", ".")
}

// tsProgram compiles a TypeScript program with tsc --strict inside
// clients/typescript (so "@podc/client" resolves to the package itself,
// which npm run build must have built) and runs it with node.
func (r *runner) tsProgram(ctx context.Context, src string) (string, error) {
	pkg := filepath.Join(r.repo, "clients", "typescript")
	if _, err := os.Stat(filepath.Join(pkg, "dist", "index.js")); err != nil {
		return "", fmt.Errorf("clients/typescript is not built (npm ci && npm run build): %v", err)
	}
	dir, err := os.MkdirTemp(pkg, ".doctest-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "main.ts"), []byte(src), 0o644); err != nil {
		return "", err
	}
	tsc := filepath.Join(pkg, "node_modules", ".bin", "tsc")
	if _, err := r.stdout(ctx, pkg, nil, tsc, "--strict", "--target", "es2022", "--module", "nodenext",
		"--moduleResolution", "nodenext", "--types", "node", "--rootDir", dir, "--outDir", filepath.Join(dir, "out"), filepath.Join(dir, "main.ts")); err != nil {
		return "", err
	}
	return r.stdout(ctx, pkg, nil, "node", filepath.Join(dir, "out", "main.js"))
}

// pyProgram runs a Python program with clients/python on its path.
func (r *runner) pyProgram(ctx context.Context, dir, src string) (string, error) {
	file := filepath.Join(dir, "main.py")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		return "", err
	}
	return r.stdout(ctx, dir, []string{"PYTHONPATH=" + filepath.Join(r.repo, "clients", "python")}, r.python, file)
}

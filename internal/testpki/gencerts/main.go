// Command gencerts writes a throwaway PKI for the end-to-end tests into a
// directory: ca.pem, server.pem and server-key.pem (localhost, 127.0.0.1),
// client.pem and client-key.pem, and other-ca.pem with other-client.pem and
// other-client-key.pem from a second, untrusted CA.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/podc-dev/podc/internal/testpki"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gencerts DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gencerts:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	ca, err := testpki.NewCA("podc test CA")
	if err != nil {
		return err
	}
	other, err := testpki.NewCA("another CA")
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		ca   *testpki.CA
	}{{"ca", ca}, {"other-ca", other}} {
		if err := os.WriteFile(filepath.Join(dir, f.name+".pem"), f.ca.PEM, 0o644); err != nil {
			return err
		}
	}
	issue := []struct {
		name string
		make func(string) (testpki.Pair, error)
	}{
		{"server", ca.Server},
		{"client", ca.Client},
		{"other-client", other.Client},
	}
	for _, i := range issue {
		p, err := i.make(i.name)
		if err != nil {
			return err
		}
		if _, _, err := p.Write(dir, i.name); err != nil {
			return err
		}
	}
	return nil
}

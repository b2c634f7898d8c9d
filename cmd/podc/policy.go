package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// policyCmd is "podc policy": list the rules of a bundle.
func policyCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "Usage: podc policy list [--policies DIR]")
		return exitUsage
	}
	switch args[0] {
	case "list":
		return policyList(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "podc policy: unknown command %q (want list)\n", args[0])
	return exitUsage
}

func policyList(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("policy list", "policy list [--policies DIR]", stderr)
	dir := fs.String("policies", "", "a policy bundle directory (default: the embedded bundle)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	b, err := loadBundle(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "podc policy list: %v\n", err)
		return exitRefused
	}
	fmt.Fprintf(stdout, "bundle %s (%s)\n\nprofiles:\n", b.Digest(), b.Source())
	for _, p := range b.Profiles() {
		fmt.Fprintf(stdout, "  %-12s %s\n", p.Name, p.Description)
	}
	fmt.Fprintln(stdout, "\nrules:")
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ID\tPROFILES\tSEVERITY\tSTAGE\tDESCRIPTION")
	for _, r := range b.Rules() {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", r.ID, strings.Join(r.Profiles, ","), r.Severity, r.Stage, r.Description)
	}
	tw.Flush()
	return exitOK
}

package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/podc-dev/podc/compiler/importer"
)

// importCmd is "podc import": existing manifests read into an intent.
func importCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("import", "import -f FILE|- [flags]", stderr)
	file := fs.String("f", "", "the manifests, YAML or JSON: a Pod or Deployment and the Services that select it, or a Score workload file; - reads standard input")
	output := fs.String("o", "json", "output format of the intent: json or yaml")
	input := fs.String("format", "auto", "input format: auto (JSON when the text starts with '{' or '['), yaml or json")
	allowLoss := fs.Bool("allow-loss", false, "drop the fields the intent cannot say, with a warning for each, instead of refusing")
	maxInput := fs.Int64("max-input-bytes", importer.DefaultLimits.Bytes, "refuse manifests larger than this")
	values := valuesFlag{}
	fs.Var(values, "set", "KEY=VALUE: the value of a Score workload's ${KEY} placeholder, or the image of a container built for it (containers.NAME.image); repeatable")
	if err := fs.Parse(args); err != nil {
		return parseExit(err)
	}
	if *file == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	var outFormat importer.Format
	switch *output {
	case "json":
		outFormat = importer.JSON
	case "yaml":
		outFormat = importer.YAML
	default:
		fmt.Fprintf(stderr, "podc import: -o %q: want json or yaml\n", *output)
		return exitUsage
	}
	inFormat, ok := map[string]importer.Format{"auto": importer.Detect, "yaml": importer.YAML, "json": importer.JSON}[*input]
	if !ok {
		fmt.Fprintf(stderr, "podc import: --format %q: want auto, yaml or json\n", *input)
		return exitUsage
	}
	if *maxInput <= 0 {
		fmt.Fprintf(stderr, "podc import: --max-input-bytes %d: must be more than 0\n", *maxInput)
		return exitUsage
	}
	data, err := readInput(*file, stdin, *maxInput)
	if err != nil {
		fmt.Fprintf(stderr, "podc import: %v\n", err)
		return exitUsage
	}
	res, err := importer.Import(data, importer.Options{
		Format:    inFormat,
		AllowLoss: *allowLoss,
		Limits:    importer.Limits{Bytes: *maxInput},
		Values:    values,
	})
	var ie *importer.InputError
	var le *importer.LossError
	switch {
	case errors.As(err, &ie):
		fmt.Fprintf(stderr, "refused: invalid manifests (%d problems)\n", len(ie.Problems))
		for _, p := range ie.Problems {
			fmt.Fprintln(stderr, oneLine(p.String()))
		}
		return exitRefused
	case errors.As(err, &le):
		fmt.Fprintf(stderr, "refused: %d fields the intent cannot say (--allow-loss drops them)\n", len(le.Lost))
		for _, l := range le.Lost {
			fmt.Fprintln(stderr, oneLine(l.String()+at(l.Line, l.Column)))
		}
		return exitRefused
	case err != nil:
		fmt.Fprintf(stderr, "podc import: %v\n", err)
		return exitUsage
	}
	for _, l := range res.Lost {
		fmt.Fprintln(stderr, oneLine("warning: lost "+l.String()+at(l.Line, l.Column)))
	}
	for _, n := range res.Notes {
		fmt.Fprintln(stderr, oneLine("note: "+n))
	}
	out, err := importer.Encode(res.Intent, outFormat)
	if err != nil {
		fmt.Fprintf(stderr, "podc import: %v\n", err)
		return exitUsage
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "podc import: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// at is " (at line:column)", or nothing when the position is unknown.
func at(line, col int) string {
	if line <= 0 {
		return ""
	}
	return fmt.Sprintf(" (at %d:%d)", line, col)
}

// valuesFlag is a repeatable flag.Value of KEY=VALUE pairs.
type valuesFlag map[string]string

func (v valuesFlag) String() string { return "" }

func (v valuesFlag) Set(s string) error {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return fmt.Errorf("%q: want KEY=VALUE", s)
	}
	if _, dup := v[key]; dup {
		return fmt.Errorf("%s is set twice", key)
	}
	v[key] = value
	return nil
}

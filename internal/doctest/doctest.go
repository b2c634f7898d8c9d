// Package doctest finds the runnable parts of the project's Markdown: the
// fenced code blocks, the grpcurl commands in shell blocks and the
// "podc serve" line that says which server they need. cmd/doctest runs
// them against a real server, so the docs cannot drift from what podc
// does.
package doctest

import (
	"strings"
)

// Block is one fenced code block.
type Block struct {
	// Line is the line of the opening fence, from 1.
	Line int
	// Lang is the first word of the info string ("sh", "go", "ts").
	Lang string
	// Attrs are the other words of the info string ("test",
	// "fails=InvalidArgument").
	Attrs []string
	// Text is the block's content, ending in a newline unless empty.
	Text string
}

// Has reports whether the info string has the word attr.
func (b Block) Has(attr string) bool {
	for _, a := range b.Attrs {
		if a == attr {
			return true
		}
	}
	return false
}

// Attr returns the value of a "key=value" word of the info string.
func (b Block) Attr(key string) (string, bool) {
	for _, a := range b.Attrs {
		if v, ok := strings.CutPrefix(a, key+"="); ok {
			return v, true
		}
	}
	return "", false
}

// Parse returns the fenced code blocks of a Markdown document, fenced
// with three or more backticks or tildes. An unclosed block runs to the
// end of the document, as CommonMark says.
func Parse(md string) []Block {
	var (
		out   []Block
		cur   *Block
		fence string
		body  strings.Builder
	)
	for i, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if cur == nil {
			f := fenceOf(trimmed)
			if f == "" || len(line)-len(trimmed) > 3 {
				continue
			}
			words := strings.Fields(trimmed[len(f):])
			cur, fence = &Block{Line: i + 1}, f
			if len(words) > 0 {
				cur.Lang, cur.Attrs = words[0], words[1:]
			}
			body.Reset()
			continue
		}
		if f := fenceOf(trimmed); f != "" && f[0] == fence[0] && len(f) >= len(fence) && strings.TrimSpace(trimmed[len(f):]) == "" {
			cur.Text = body.String()
			out = append(out, *cur)
			cur = nil
			continue
		}
		body.WriteString(line)
		body.WriteByte('\n')
	}
	if cur != nil {
		cur.Text = body.String()
		out = append(out, *cur)
	}
	return out
}

// fenceOf returns the run of three or more backticks or tildes that starts
// line, or "".
func fenceOf(line string) string {
	if line == "" || (line[0] != '`' && line[0] != '~') {
		return ""
	}
	n := 0
	for n < len(line) && line[n] == line[0] {
		n++
	}
	if n < 3 {
		return ""
	}
	return line[:n]
}

// Commands returns the shell commands of a block whose first word is
// name, each with its continuation lines (ending in a backslash) joined
// as the shell joins them.
func Commands(text, name string) []string {
	var out []string
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		cmd := strings.TrimSpace(lines[i])
		for strings.HasSuffix(cmd, `\`) && i+1 < len(lines) {
			i++
			cmd = strings.TrimSuffix(cmd, `\`) + " " + strings.TrimSpace(lines[i])
		}
		if cmd == name || strings.HasPrefix(cmd, name+" ") {
			out = append(out, cmd)
		}
	}
	return out
}

// ServeArgs returns the arguments of the "podc serve" command in a block,
// and whether there is one.
func ServeArgs(text string) ([]string, bool) {
	cmds := Commands(text, "podc")
	for _, c := range cmds {
		if f := strings.Fields(c); len(f) >= 2 && f[1] == "serve" {
			return f[2:], true
		}
	}
	return nil, false
}

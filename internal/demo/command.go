package demo

import (
	"fmt"
	"strings"
)

// RollbackCommand is a `dbguard rollback` command line as an alert names
// it, read back into its parts so that the demo applies exactly what the
// alert tells the person on call to run.
type RollbackCommand struct {
	Store, To, Target string
}

// CommandError is a rollback command the demo cannot read.
type CommandError struct {
	Command string
	Reason  string
}

func (e *CommandError) Error() string {
	return fmt.Sprintf("read the alert's rollback command: %s", e.Reason)
}

// ParseRollback reads `dbguard rollback [--store S] [--to REV] TARGET`
// (POSIX shell words: bare, or single-quoted with a quote inside closed,
// escaped and reopened, as
// watch writes them). Anything else is a *CommandError.
func ParseRollback(cmd string) (RollbackCommand, error) {
	var rc RollbackCommand
	words, err := shellWords(cmd)
	if err != nil {
		return rc, &CommandError{Command: cmd, Reason: err.Error()}
	}
	if len(words) < 3 || words[0] != "dbguard" || words[1] != "rollback" {
		return rc, &CommandError{Command: cmd, Reason: "not a dbguard rollback command"}
	}
	for i := 2; i < len(words); i++ {
		switch w := words[i]; {
		case w == "--store" || w == "--to":
			if i+1 >= len(words) {
				return rc, &CommandError{Command: cmd, Reason: w + " without a value"}
			}
			if w == "--store" {
				rc.Store = words[i+1]
			} else {
				rc.To = words[i+1]
			}
			i++
		case strings.HasPrefix(w, "-"):
			return rc, &CommandError{Command: cmd, Reason: fmt.Sprintf("flag %q is not one the demo applies", w)}
		case rc.Target != "":
			return rc, &CommandError{Command: cmd, Reason: "more than one target"}
		default:
			rc.Target = w
		}
	}
	if rc.Target == "" {
		return rc, &CommandError{Command: cmd, Reason: "no target"}
	}
	return rc, nil
}

// shellWords splits a line into POSIX shell words: spaces separate,
// single quotes keep everything to the next one, a backslash outside
// quotes escapes the next character.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	in := false // inside a word
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated quote at byte %d", i+1)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			in = true
		case c == '\\':
			if i+1 >= len(s) {
				return nil, fmt.Errorf("a backslash ends the line")
			}
			cur.WriteByte(s[i+1])
			i++
			in = true
		case c == ' ' || c == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		case c == '"' || c == '$' || c == '`' || c == ';' || c == '|' || c == '&' || c == '<' || c == '>' || c == '\n':
			return nil, fmt.Errorf("shell syntax %q at byte %d", c, i+1)
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}

package config

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// Glob is a path pattern from dbguard.yaml. Paths are slash-separated and
// relative to the scan root, whatever the operating system, so that one
// dbguard.yaml means the same thing on a laptop and in CI.
//
// Syntax, per slash-separated segment: path.Match (`*`, `?`, `[a-z]`,
// `\` to escape), plus a segment that is exactly `**`, which matches zero or
// more whole segments. A trailing slash means "this directory and everything
// below it" (`vendor/` is `vendor/**`), and a leading "./" is ignored.
// Matching is case-sensitive.
type Glob struct {
	// Pattern is the text as written in the file.
	Pattern string
	// Pos is where the pattern was written, for error messages.
	Pos Position
}

// segments splits the pattern into the segments Match works on. It is
// recomputed on each call rather than cached so that Glob stays a plain value
// a caller can build in code.
func (g Glob) segments() []string {
	p := strings.TrimPrefix(g.Pattern, "./")
	if strings.HasSuffix(p, "/") {
		p += "**"
	}
	return strings.Split(p, "/")
}

// check reports why the pattern can never be used, or nil.
func (g Glob) check() error {
	switch {
	case g.Pattern == "":
		return errors.New("is empty")
	case strings.HasPrefix(g.Pattern, "/"):
		return errors.New("must be relative to the scan root (remove the leading /)")
	}
	for _, seg := range g.segments() {
		switch seg {
		case "":
			return errors.New("has an empty path segment (//)")
		case "..":
			return errors.New(`must not contain ".." (paths are relative to the scan root)`)
		case "**":
			continue
		}
		if _, err := path.Match(seg, ""); err != nil {
			return fmt.Errorf("has a syntax error in segment %q (unclosed [ or trailing \\)", seg)
		}
	}
	return nil
}

// Match reports whether name, a slash-separated path relative to the scan
// root, matches the pattern. A malformed pattern matches nothing; Validate
// reports it.
func (g Glob) Match(name string) bool {
	return matchSegments(g.segments(), strings.Split(strings.TrimPrefix(name, "./"), "/"))
}

// matchSegments matches pattern segments against name segments. It walks a
// table of "pattern prefix i matches name prefix j" instead of backtracking,
// so patterns such as **/**/**/x stay linear in the name's depth.
func matchSegments(pat, name []string) bool {
	// cur[j]: pat[:i] matches name[:j], for the current i.
	cur := make([]bool, len(name)+1)
	next := make([]bool, len(name)+1)
	cur[0] = true
	for _, seg := range pat {
		clear(next)
		if seg == "**" {
			// ** extends any match by zero or more segments.
			reached := false
			for j := range cur {
				reached = reached || cur[j]
				next[j] = reached
			}
		} else {
			for j := 1; j <= len(name); j++ {
				if cur[j-1] {
					ok, err := path.Match(seg, name[j-1])
					next[j] = ok && err == nil
				}
			}
		}
		cur, next = next, cur
	}
	return cur[len(name)]
}

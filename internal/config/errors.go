package config

import (
	"errors"
	"fmt"
	"slices"
)

// Position locates a value in a configuration file. Line and Column are
// 1-based; zero means unknown, which happens for configurations built in
// code rather than read from a file.
type Position struct {
	File   string
	Line   int
	Column int
}

// String renders the position the way editors and CI annotations parse it:
// file:line:column, dropping the parts that are unknown.
func (p Position) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Column == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
	}
}

// Error is one problem found in a configuration file. Parse and Validate
// return every problem they find joined with errors.Join, so a caller that
// wants them one by one unwraps the join and uses errors.As on each.
type Error struct {
	Pos Position
	Msg string
}

func (e *Error) Error() string {
	if where := e.Pos.String(); where != "" {
		return where + ": " + e.Msg
	}
	return e.Msg
}

// problems collects errors in the order they are found and hands them back
// sorted by position, so that the output reads top to bottom like the file.
type problems struct {
	errs []*Error
}

func (p *problems) add(pos Position, format string, args ...any) {
	p.errs = append(p.errs, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

func (p *problems) len() int { return len(p.errs) }

// err returns nil when there is no problem, the problem itself when there is
// one, and a join of all of them otherwise.
func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	sorted := slices.Clone(p.errs)
	slices.SortStableFunc(sorted, func(a, b *Error) int {
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Column - b.Pos.Column
	})
	if len(sorted) == 1 {
		return sorted[0]
	}
	errs := make([]error, len(sorted))
	for i, e := range sorted {
		errs[i] = e
	}
	return errors.Join(errs...)
}

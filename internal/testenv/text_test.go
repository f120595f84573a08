package testenv_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

func TestFirstDiff(t *testing.T) {
	cases := []struct{ want, got, diff string }{
		{"a\nb\nc", "a\nx\nc", "line 2:\n  want: b\n  got:  x"},
		{"a\nb", "a", "line 2:\n  want: b\n  got:  "},
		{"a", "a\nb", "line 2:\n  want: \n  got:  b"},
	}
	for _, c := range cases {
		if d := testenv.FirstDiff(c.want, c.got); d != c.diff {
			t.Errorf("FirstDiff(%q, %q) = %q, want %q", c.want, c.got, d, c.diff)
		}
	}
}

// Package deep measures what hostile input costs: files nested thousands
// of levels deep and a 10 MB flat list, through extract.File (parse and
// extraction, as scan runs them). Figures and how to read them:
// bench/README.md, section "deep"; run.sh runs these and the binary.
package deep_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/extract"
)

// nested is a file nested depth levels deep in a format's brackets.
func nested(format string, depth int) (name, text string) {
	switch format {
	case "json-arrays":
		return "deep.json", strings.Repeat("[", depth) + strings.Repeat("]", depth)
	case "json-objects":
		return "deep.json", strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
	case "yaml-flow":
		return "deep.yaml", "a: " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n"
	case "toml-arrays":
		return "deep.toml", "a = " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n"
	}
	panic("unknown format " + format)
}

// flat is a list of one-digit items of about size bytes.
func flat(format string, size int) (name, text string) {
	switch format {
	case "yaml-block":
		return "flat.yaml", "items:\n" + strings.Repeat("- 1\n", size/4)
	case "yaml-flow":
		return "flat.yaml", "items: [" + strings.Repeat("1, ", size/3) + "1]\n"
	case "json":
		return "flat.json", "[" + strings.Repeat("1,", size/2) + "1]"
	case "env":
		return "flat.env", strings.Repeat("A=1\n", size/4)
	}
	panic("unknown format " + format)
}

func run(b *testing.B, name, text string) {
	data := []byte(text)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		extract.File(name, data)
	}
}

// BenchmarkDeep reads one file per depth and format. Past tree.MaxDepth
// (1,000) the parse stops at the limit, so the cost stays that of the
// first 1,000 levels plus a scan of the rest.
func BenchmarkDeep(b *testing.B) {
	for _, format := range []string{"json-arrays", "json-objects", "yaml-flow", "toml-arrays"} {
		for _, depth := range []int{1000, 2500, 5000, 10000} {
			b.Run(fmt.Sprintf("format=%s/depth=%d", format, depth), func(b *testing.B) {
				name, text := nested(format, depth)
				run(b, name, text)
			})
		}
	}
}

// BenchmarkFlat reads flat lists of 1, 2.5, 5 and 10 MB. Past
// tree.MaxNodes (1,000,000 values) the parse stops at the limit.
func BenchmarkFlat(b *testing.B) {
	for _, format := range []string{"yaml-block", "yaml-flow", "json", "env"} {
		for _, mb := range []float64{1, 2.5, 5, 10} {
			b.Run(fmt.Sprintf("format=%s/mb=%g", format, mb), func(b *testing.B) {
				name, text := flat(format, int(mb*(1<<20))-64)
				run(b, name, text)
			})
		}
	}
}

package tree_test

import (
	"encoding/json"
	"testing"

	"github.com/pelletier/go-toml/v2"
	"gopkg.in/yaml.v3"

	"github.com/dbguard/dbguard/internal/extract/tree"
)

// The benchmarks read a typical 1 KB service configuration in each format.
// Each parser is measured beside the bare library decode it builds on (or
// competes with), because the scan must reach 20,000 files per second on
// one core: converting to a tree should cost at most about 1.3 times the
// bare decode, and the JSON parser must beat encoding/json.

func bench(b *testing.B, file string, parse func([]byte) error) {
	data := readFile(b, "bench/"+file)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseYAML(b *testing.B) {
	bench(b, "config.yaml", func(d []byte) error { _, err := tree.ParseYAML(d); return err })
}

// BenchmarkParseYAMLBlock reads the same configuration written without
// flow collections, which the fast path takes; config.yaml goes through
// yaml.v3.
func BenchmarkParseYAMLBlock(b *testing.B) {
	bench(b, "block.yaml", func(d []byte) error { _, err := tree.ParseYAML(d); return err })
}

func BenchmarkBareYAMLNode(b *testing.B) {
	bench(b, "config.yaml", func(d []byte) error { var n yaml.Node; return yaml.Unmarshal(d, &n) })
}

func BenchmarkParseJSON(b *testing.B) {
	bench(b, "config.json", func(d []byte) error { _, err := tree.ParseJSON(d); return err })
}

func BenchmarkBareJSONAny(b *testing.B) {
	bench(b, "config.json", func(d []byte) error { var v any; return json.Unmarshal(d, &v) })
}

func BenchmarkParseTOML(b *testing.B) {
	bench(b, "config.toml", func(d []byte) error { _, err := tree.ParseTOML(d); return err })
}

func BenchmarkBareTOMLMap(b *testing.B) {
	bench(b, "config.toml", func(d []byte) error { var m map[string]any; return toml.Unmarshal(d, &m) })
}

func BenchmarkParseEnv(b *testing.B) {
	bench(b, "config.env", func(d []byte) error { _, err := tree.ParseEnv(d); return err })
}

func BenchmarkParseProperties(b *testing.B) {
	bench(b, "config.properties", func(d []byte) error { _, err := tree.ParseProperties(d); return err })
}

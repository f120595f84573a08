package testenv

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema compiles the JSON Schema in the file at path (docs/schema/ and
// the SARIF schema in output's testdata), failing the test when it cannot.
func Schema(t testing.TB, path string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open the schema: %v", err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("read the schema %s: %v", path, err)
	}
	name := filepath.Base(path)
	c := jsonschema.NewCompiler()
	if err := c.AddResource(name, doc); err != nil {
		t.Fatalf("add the schema %s: %v", path, err)
	}
	s, err := c.Compile(name)
	if err != nil {
		t.Fatalf("compile the schema %s: %v", path, err)
	}
	return s
}

// MatchSchema returns why the JSON document doc does not match s, or nil
// when it does. A doc that is not JSON at all fails the test: a test that
// expects a refusal must get it from the schema, not from a typo.
func MatchSchema(t testing.TB, s *jsonschema.Schema, doc []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("decode the JSON: %v\n%s", err, doc)
	}
	return s.Validate(inst)
}

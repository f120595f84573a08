package output

import (
	"bytes"
	"encoding/json"
	"testing"
)

var indentCases = []string{
	`{}`, `[]`, `null`, `"x"`, `1`, `{"a":[]}`, `{"a":{}}`, `[{},[],{"b":[1,2,{"c":null}]}]`,
	`{"q":"a \"quoted\" {[,:]} \\ string","u":"\u003ctag\u003e \u0026"}`,
	`{"a":1,"b":[true,false],"c":"x\\"}`, `[ 1 , { "a" : [ ] } ]`,
}

// TestAppendIndent holds appendIndent to json.Indent, including a whole
// report as the json format writes its findings.
func TestAppendIndent(t *testing.T) {
	cases := append([]string(nil), indentCases...)
	f, err := json.Marshal(jsonFinding{Rule: "r", Message: `"<&>" ` + "\u2028", Related: []jsonRelated{{File: "a", Line: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, string(f))
	for _, c := range cases {
		for _, prefix := range []string{"", "    "} {
			var want bytes.Buffer
			if err := json.Indent(&want, []byte(c), prefix, "  "); err != nil {
				t.Fatalf("%s: %v", c, err)
			}
			if got := appendIndent(nil, []byte(c), prefix, "  "); string(got) != want.String() {
				t.Errorf("appendIndent(%s, %q):\n%s\nwant\n%s", c, prefix, got, want.String())
			}
		}
	}
}

func FuzzAppendIndent(f *testing.F) {
	for _, c := range indentCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if !json.Valid(src) {
			return
		}
		// The input appendIndent gets: what json.Marshal writes.
		var v any
		if err := json.Unmarshal(src, &v); err != nil {
			return
		}
		compact, err := json.Marshal(v)
		if err != nil {
			return
		}
		for _, in := range [][]byte{compact, src} {
			var want bytes.Buffer
			if err := json.Indent(&want, in, "  ", "  "); err != nil {
				t.Fatal(err)
			}
			// json.Indent keeps trailing space after the value; Marshal
			// never writes any.
			w := bytes.TrimRight(want.Bytes(), " \t\r\n")
			if got := appendIndent(nil, bytes.TrimRight(in, " \t\r\n"), "  ", "  "); !bytes.Equal(got, w) {
				t.Fatalf("appendIndent(%q):\n%q\nwant\n%q", in, got, w)
			}
		}
	})
}

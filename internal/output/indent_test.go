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

var jsonStringCases = []string{"", "plain", `"quoted" \ back`, "<tag> & more", "tab\there\nnew\rline\b\f", "\x00\x01\x1f\x7f",
	"\u2028\u2029", "é ü 中文 🙂", "bad \xff utf8 \xc3", "\ufffd"}

func TestAppendJSONString(t *testing.T) {
	for _, s := range jsonStringCases {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range jsonStringCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}

// TestAppendFinding holds appendFinding to json.MarshalIndent with the
// optional fields set and unset, and related locations or none.
func TestAppendFinding(t *testing.T) {
	for _, f := range []jsonFinding{
		{},
		{Rule: "r", Severity: "error", Message: `m <"&">`, File: "a.yaml", Line: 3, Column: 9, Remediation: "x", Help: "h", Fingerprint: "fp"},
		{Rule: "r", Profile: "p", Environment: "production", Field: "tls", Related: []jsonRelated{{File: "b", Line: 1, Column: 2, Message: "m"}, {}}},
		{Related: []jsonRelated{}},
	} {
		want, err := json.MarshalIndent(f, "    ", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if got := appendFinding(nil, f, "    "); string(got) != string(want) {
			t.Errorf("appendFinding:\n%s\nwant\n%s", got, want)
		}
	}
}

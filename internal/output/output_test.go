package output_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/output"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const canary = "canary-Pa55w0rd-7f3a"

// sample is a report built by the real rules from profiles holding a
// literal canary password, so that every renderer is tested on what the
// engine really produces.
func sample() *policy.Report {
	loc := func(line, col int) profile.Location {
		return profile.Location{File: "deploy/prod/app.yaml", Line: line, Column: col}
	}
	p := &profile.Profile{
		ID: "deploy/prod/app.yaml#database", File: "deploy/prod/app.yaml", KeyPath: "database", Name: "database",
		Environment: profile.Production,
		Driver:      profile.V("postgres", loc(2, 11)),
		Hosts:       []profile.Host{{Host: profile.V("localhost", loc(3, 9)), Port: profile.V("70000", loc(4, 9))}},
		User:        profile.V("app|admin", loc(5, 9)),
		Password: profile.Password{Set: true, Known: true, Source: "literal", Secret: profile.NewSecret(canary),
			Loc: loc(6, 13), NeedsEncoding: true},
		TLS:  profile.TLS{Mode: profile.V("disable", loc(7, 12)), Key: "sslmode"},
		Pool: profile.Pool{MaxOpen: profile.V("500", loc(8, 15))},
	}
	staging := &profile.Profile{
		ID: "deploy/staging/app.yaml#database", File: "deploy/staging/app.yaml", KeyPath: "database",
		Environment: profile.Staging, Driver: profile.V("postgres", profile.Location{File: "deploy/staging/app.yaml", Line: 2, Column: 11}),
		Password: profile.Password{Set: true, Known: true, Source: "literal", Secret: profile.NewSecret(canary),
			Loc: profile.Location{File: "deploy/staging/app.yaml", Line: 6, Column: 13}},
	}
	rep := policy.Evaluate(policy.Input{Profiles: []*profile.Profile{p, staging}, Files: 2,
		Problems: []profile.Problem{{Loc: profile.Location{File: "broken,file.yaml", Line: 3}, Msg: "invalid YAML: mapping values are not allowed here"}}},
		policy.Builtins(), nil)
	// One finding accepted by a baseline, to cover that section too.
	for i, f := range rep.Findings {
		if f.Rule == policy.StatementTimeoutMissing {
			rep.Baselined = append(rep.Baselined, f)
			rep.Findings = append(rep.Findings[:i], rep.Findings[i+1:]...)
			break
		}
	}
	return rep
}

func render(t *testing.T, name string, rep *policy.Report, o output.Options) []byte {
	t.Helper()
	f, err := output.Formats().Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Render(&buf, rep, o); err != nil {
		t.Fatalf("render %s: %v", name, err)
	}
	return buf.Bytes()
}

func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read golden (go test -update creates it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update to accept)\n--- got\n%s", file, got)
	}
}

var extensions = map[string]string{"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "markdown": "md", "github": "txt"}

func TestFormats(t *testing.T) {
	t.Parallel()
	rep := sample()
	if len(rep.Findings) < 8 {
		t.Fatalf("sample report has only %d findings", len(rep.Findings))
	}
	for _, name := range output.Formats().Names() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := render(t, name, rep, output.Options{Version: "test", ShowSuppressed: true})
			if bytes.Contains(got, []byte(canary)) {
				t.Fatalf("%s output prints the password", name)
			}
			if bytes.Contains(got, []byte("\x1b[")) {
				t.Errorf("%s output has colour codes without Color", name)
			}
			golden(t, filepath.Join("testdata", "golden", "sample."+name+"."+extensions[name]), got)
			empty := render(t, name, &policy.Report{}, output.Options{Version: "test"})
			if len(empty) == 0 {
				t.Errorf("%s prints nothing for an empty report", name)
			}
		})
	}
}

func TestTextColour(t *testing.T) {
	t.Parallel()
	got := render(t, "text", sample(), output.Options{Color: true})
	if !bytes.Contains(got, []byte("\x1b[31m")) {
		t.Error("no colour with Color set")
	}
}

func TestJSONIsValid(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	if err := json.Unmarshal(render(t, "json", sample(), output.Options{}), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["schema_version"] != float64(output.SchemaVersion) {
		t.Errorf("schema_version = %v", doc["schema_version"])
	}
}

func TestJUnitIsXML(t *testing.T) {
	t.Parallel()
	for _, rep := range []*policy.Report{sample(), {}} {
		var v any
		if err := xml.Unmarshal(render(t, "junit", rep, output.Options{}), &v); err != nil {
			t.Fatal(err)
		}
	}
}

// Every SARIF document validates against the official 2.1.0 schema and
// follows GitHub code scanning's rules.
func TestSARIFSchema(t *testing.T) {
	t.Parallel()
	sch := testenv.Schema(t, filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	// The schema is enforced: a level SARIF does not define is refused.
	bad := bytes.Replace(render(t, "sarif", sample(), output.Options{Version: "test"}), []byte(`"level": "error"`), []byte(`"level": "fatal"`), 1)
	if testenv.MatchSchema(t, sch, bad) == nil {
		t.Fatal(`a result with "level": "fatal" validates: the schema checks nothing`)
	}
	for name, rep := range map[string]*policy.Report{"sample": sample(), "empty": {}} {
		t.Run(name, func(t *testing.T) {
			out := render(t, "sarif", rep, output.Options{Version: "test"})
			if err := testenv.MatchSchema(t, sch, out); err != nil {
				t.Fatalf("SARIF does not validate: %v", err)
			}
			var log struct {
				Runs []struct {
					Tool struct {
						Driver struct {
							Rules []struct {
								ID      string `json:"id"`
								HelpURI string `json:"helpUri"`
								Help    struct {
									Text string `json:"text"`
								} `json:"help"`
							} `json:"rules"`
						} `json:"driver"`
					} `json:"tool"`
					Results []struct {
						Locations []struct {
							PhysicalLocation struct {
								ArtifactLocation struct {
									URI       string `json:"uri"`
									URIBaseID string `json:"uriBaseId"`
								} `json:"artifactLocation"`
							} `json:"physicalLocation"`
						} `json:"locations"`
						PartialFingerprints map[string]string `json:"partialFingerprints"`
					} `json:"results"`
				} `json:"runs"`
			}
			if err := json.Unmarshal(out, &log); err != nil {
				t.Fatal(err)
			}
			for _, r := range log.Runs[0].Tool.Driver.Rules {
				if r.Help.Text == "" || !strings.HasPrefix(r.HelpURI, "https://") {
					t.Errorf("rule %s lacks help", r.ID)
				}
			}
			for _, r := range log.Runs[0].Results {
				loc := r.Locations[0].PhysicalLocation.ArtifactLocation
				if strings.HasPrefix(loc.URI, "/") || strings.Contains(loc.URI, "://") || loc.URIBaseID == "" {
					t.Errorf("artifact location %+v is not relative with a uriBaseId", loc)
				}
				if len(r.PartialFingerprints) == 0 {
					t.Error("result without partialFingerprints")
				}
			}
		})
	}
}

func TestGitHubEscaping(t *testing.T) {
	t.Parallel()
	rep := &policy.Report{Findings: []policy.Finding{{Rule: "x", Severity: policy.Warning, Message: "100% broken\nsecond line",
		Loc: profile.Location{File: "a,b:c.yaml", Line: 2, Column: 1}}}}
	got := string(render(t, "github", rep, output.Options{}))
	want := "::warning file=a%2Cb%3Ac.yaml,line=2,col=1,title=dbguard x::100%25 broken%0Asecond line%0AFix: %0ASee \n"
	if !strings.HasPrefix(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestLookupUnknown(t *testing.T) {
	t.Parallel()
	if _, err := output.Formats().Lookup("yaml"); err == nil || !strings.Contains(err.Error(), "sarif") {
		t.Errorf("Lookup(yaml) = %v", err)
	}
}

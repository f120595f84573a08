package dsn_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/dsn"
)

// TestConnNeverPrintsPassword greps every way of printing a Conn for a
// canary password.
func TestConnNeverPrintsPassword(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-pw-7f3a"
	for _, s := range []string{
		"postgres://u:" + canary + "@h:5432/db?sslmode=require",
		"host=h password=" + canary,
		"Server=h;Password=" + canary + ";Account Key=" + canary,
		"jdbc:mysql://h/db?password=" + canary,
	} {
		c, err := dsn.Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		js, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		jsv, _ := json.Marshal(*c)
		var logBuf bytes.Buffer
		slog.New(slog.NewTextHandler(&logBuf, nil)).Info("conn", "c", c, "v", *c)
		for name, out := range map[string]string{
			"%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c),
			//lint:ignore S1025 the %s verb itself is what is under test
			"%s": fmt.Sprintf("%s", *c), "value %+v": fmt.Sprintf("%+v", *c),
			"json": string(js), "json value": string(jsv), "slog": logBuf.String(),
		} {
			if strings.Contains(out, canary) {
				t.Errorf("%s of Parse(%q) shows the password: %s", name, s, out)
			}
		}
		if c.Password.Value != canary {
			t.Errorf("Parse(%q).Password = %q, want the canary in memory", s, c.Password.Value)
		}
	}
}

package profile

import "testing"

func TestSplitID(t *testing.T) {
	for _, c := range []struct{ id, file, keyPath string }{
		{"config/db.yaml#production.database", "config/db.yaml", "production.database"},
		{".env#DATABASE_URL", ".env", "DATABASE_URL"},
		{`values.yaml#"a#b".host`, "values.yaml", `"a#b".host`},
		{"orders.env", "orders.env", ""},
	} {
		if f, k := SplitID(c.id); f != c.file || k != c.keyPath {
			t.Errorf("SplitID(%q) = %q, %q; want %q, %q", c.id, f, k, c.file, c.keyPath)
		}
	}
}

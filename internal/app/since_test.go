package app

import (
	"errors"
	"testing"
	"time"
)

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	lagos, err := time.LoadLocation("Africa/Lagos")
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]time.Time{
		"24h":                  now.Add(-24 * time.Hour),
		"7d":                   now.Add(-7 * 24 * time.Hour),
		"2026-02-01":           time.Date(2026, 2, 1, 0, 0, 0, 0, lagos),
		"2026-02-01T10:00:00Z": time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC),
	} {
		got, err := parseSince(in, now, lagos)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "-1h", "-3d", "3x", "2026-13-01"} {
		var re *RequestError
		if _, err := parseSince(bad, now, lagos); !errors.As(err, &re) {
			t.Errorf("parseSince(%q) = %v, want a *RequestError", bad, err)
		}
	}
}

func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"24h", "7d", "2026-02-01", "2026-02-01T10:00:00Z", "1d2h", "99999999999d"} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseSince(s, now, time.UTC)
		if err == nil && got.After(now) && len(s) > 0 && s[len(s)-1] != 'Z' && (s[len(s)-1] == 'h' || s[len(s)-1] == 'd' || s[len(s)-1] == 's' || s[len(s)-1] == 'm') {
			t.Fatalf("parseSince(%q) = %v, after now", s, got)
		}
	})
}

package testenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Chromium finds Debian's chromium (scripts/test.sh installs it); without
// it the test is skipped, or fails under DBGUARD_REQUIRE_SERVICES=1.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	missing(t, "chromium is not installed (apt-get install chromium; scripts/test.sh installs it)")
	return ""
}

// HeadlessPage is what headless Chromium made of a local page.
type HeadlessPage struct {
	// DOM is the document after load (--dump-dom).
	DOM string
	// Console are the page's console messages Chromium logged.
	Console []string
	// Screenshot is the PNG file written.
	Screenshot string
}

// OpenHeadless loads the file page in a headless Chromium with a new
// profile, no network of its own (no sync, updates or background
// requests), and returns its DOM and console messages, with a screenshot
// saved beside the page.
func OpenHeadless(t testing.TB, page string) HeadlessPage {
	t.Helper()
	bin := Chromium(t)
	dir := t.TempDir()
	abs, err := filepath.Abs(page)
	if err != nil {
		t.Fatal(err)
	}
	common := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--enable-logging=stderr", "--v=0", "--log-level=0"}
	run := func(profile string, extra ...string) (string, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		args := append(append(append([]string{}, common...), "--user-data-dir="+filepath.Join(dir, profile)), extra...)
		args = append(args, "file://"+abs)
		cmd := exec.CommandContext(ctx, bin, args...)
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %s: %v\n%s", strings.Join(extra, " "), err, errb.String())
		}
		return out.String(), errb.String()
	}
	var p HeadlessPage
	dom, log := run("dom", "--dump-dom")
	p.DOM = dom
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, ":CONSOLE") {
			p.Console = append(p.Console, line)
		}
	}
	p.Screenshot = filepath.Join(filepath.Dir(abs), strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs))+".png")
	run("shot", "--screenshot="+p.Screenshot, "--window-size=1280,2000", "--hide-scrollbars")
	if st, err := os.Stat(p.Screenshot); err != nil || st.Size() == 0 {
		t.Fatalf("chromium wrote no screenshot at %s: %v", p.Screenshot, err)
	}
	return p
}

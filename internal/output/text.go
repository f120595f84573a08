package output

import (
	"bufio"
	"fmt"
	"io"

	"github.com/dbguard/dbguard/internal/policy"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
)

func renderText(w io.Writer, rep *policy.Report, o Options) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !o.Color {
			return s
		}
		return code + s + ansiReset
	}
	sevColor := map[policy.Severity]string{policy.Error: ansiRed, policy.Warning: ansiYellow, policy.Info: ansiBlue}
	section := func(fs []policy.Finding, tag string) {
		files, m := byFile(fs)
		for _, file := range files {
			fmt.Fprintln(bw, paint(ansiBold, file))
			for _, f := range m[file] {
				pos := fmt.Sprintf("%d:%d", f.Loc.Line, f.Loc.Column)
				if f.Loc.Column == 0 {
					pos = fmt.Sprintf("%d", f.Loc.Line)
				}
				fmt.Fprintf(bw, "  %-8s %s %s %s%s\n", pos, paint(sevColor[f.Severity], fmt.Sprintf("%-7s", f.Severity)), f.Rule, f.Message, tag)
				if f.Profile != "" {
					fmt.Fprintf(bw, "           %s\n", paint(ansiDim, "profile "+f.Profile))
				}
				for _, r := range f.Related {
					fmt.Fprintf(bw, "           %s\n", paint(ansiDim, "see "+r.Loc.String()+": "+r.Message))
				}
				fmt.Fprintf(bw, "           %s\n", paint(ansiDim, "fix: "+f.Remediation+" ("+f.Help+")"))
			}
			fmt.Fprintln(bw)
		}
	}
	section(rep.Findings, "")
	if o.ShowSuppressed {
		section(rep.Suppressed, " [suppressed]")
		section(rep.Baselined, " [baseline]")
	}
	fmt.Fprintln(bw, summaryLine(rep))
	return bw.Flush()
}

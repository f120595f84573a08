package output

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/dbguard/dbguard/internal/policy"
)

// GitHub Actions workflow commands: ::error file=F,line=L,col=C,title=T::message.
// The data part escapes %, CR and LF; properties also escape : and ,.

func ghData(s string) string {
	s = strings.ReplaceAll(s, "%", "%25")
	s = strings.ReplaceAll(s, "\r", "%0D")
	return strings.ReplaceAll(s, "\n", "%0A")
}

func ghProperty(s string) string {
	s = ghData(s)
	s = strings.ReplaceAll(s, ":", "%3A")
	return strings.ReplaceAll(s, ",", "%2C")
}

func renderGitHub(w io.Writer, rep *policy.Report, _ Options) error {
	bw := bufio.NewWriter(w)
	for _, f := range rep.Findings {
		cmd := "notice"
		switch f.Severity {
		case policy.Error:
			cmd = "error"
		case policy.Warning:
			cmd = "warning"
		}
		props := []string{"file=" + ghProperty(f.Loc.File)}
		if f.Loc.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", f.Loc.Line))
			if f.Loc.Column > 0 {
				props = append(props, fmt.Sprintf("col=%d", f.Loc.Column))
			}
		}
		props = append(props, "title="+ghProperty("dbguard "+f.Rule))
		fmt.Fprintf(bw, "::%s %s::%s\n", cmd, strings.Join(props, ","), ghData(f.Message+"\nFix: "+f.Remediation+"\nSee "+f.Help))
	}
	fmt.Fprintln(bw, summaryLine(rep))
	return bw.Flush()
}

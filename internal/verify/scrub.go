package verify

import (
	"net/url"
	"strings"

	"github.com/dbguard/dbguard/internal/profile"
)

// scrub removes every form of the secret that a driver could have put into
// an error text (as written, URL-escaped either way) and bounds the length,
// so that a message is safe to print, log or store.
func scrub(msg string, secret profile.Secret) string {
	if s := secret.Reveal(); s != "" {
		for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
			msg = strings.ReplaceAll(msg, form, profile.Mask)
		}
	}
	const max = 400
	if len(msg) > max {
		msg = msg[:max] + "..."
	}
	return msg
}

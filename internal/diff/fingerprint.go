package diff

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
)

// FingerprintVersion prefixes every fingerprint; it changes only when
// what the fingerprint covers changes.
const FingerprintVersion = "v1"

// Fingerprint hashes the meaning of a set of changes: for each change the
// profile (id, environment, name and key path on both sides), the field,
// the kind and the old and new values as written. Line numbers, reasons,
// risks, the order of the changes and the bytes of the files are left out,
// so a rebase, reordered keys, comments or quoting keep the fingerprint,
// and approvals given to it; any change of meaning gives another one.
//
// A password contributes only its description ("changed", "added",
// "removed", "now unresolved (from VAR)"): never its value nor a hash of
// it. Hashing the description of a change cannot leak a secret.
func Fingerprint(cs []Change) string {
	lines := make([]string, 0, len(cs))
	for _, c := range cs {
		lines = append(lines, strings.Join([]string{c.identity, c.Field, string(c.Kind), opt(c.Old), opt(c.New)}, "\x1f"))
	}
	sort.Strings(lines)
	h := sha256.New()
	h.Write([]byte("dbguard review fingerprint " + FingerprintVersion + "\n"))
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	return FingerprintVersion + ":" + hex.EncodeToString(h.Sum(nil))[:32]
}

func opt(s *string) string {
	if s == nil {
		return "\x00"
	}
	return *s
}

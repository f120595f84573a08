package profile

import "strings"

// SplitID splits a profile id, file#key.path, into its file and key path
// at the first '#': a key path may hold a '#' (a quoted YAML key), a
// scanned file's path in practice does not. An id without '#' is all
// file.
func SplitID(id string) (file, keyPath string) {
	file, keyPath, _ = strings.Cut(id, "#")
	return file, keyPath
}

package scan

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/profile"
)

// The functions here let other inputs that read configuration files
// (diff's folders and git revisions) read and judge them exactly as scan
// does, so that a file scan calls unreadable is unreadable to every
// command, in the same words.

// TooLargeError is a file over MaxFileSize, which is not read.
type TooLargeError struct{ Size int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("file is %d bytes, over the %d-byte limit: not read", e.Size, MaxFileSize)
}

// ReadFile reads a configuration file as scan does: in one allocation of
// its size, not at all when it is over MaxFileSize (a *TooLargeError), so
// that a huge file is never held in memory, and not at all when it is not
// a regular file (a *SpecialFileError, see OpenFile).
func ReadFile(name string) ([]byte, error) {
	f, st, err := OpenFile(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st.Size() > MaxFileSize {
		return nil, &TooLargeError{Size: st.Size()}
	}
	data, err := readSized(f, st)
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		// It grew while it was read.
		return nil, &TooLargeError{Size: int64(len(data))}
	}
	return data, nil
}

// ReadProblem is the input-unreadable problem of a file that could not be
// read (an error of ReadFile, or a *TooLargeError of another reader), at
// the file's start.
func ReadProblem(rel string, err error) profile.Problem {
	loc := profile.Location{File: rel, Line: 1, Column: 1}
	var tl *TooLargeError
	if errors.As(err, &tl) {
		return profile.Problem{Loc: loc, Msg: tl.Error()}
	}
	var sf *SpecialFileError
	if errors.As(err, &sf) {
		// The location names the file already.
		return profile.Problem{Loc: loc, Msg: fileKind(sf.Mode) + ", not a regular file: not read"}
	}
	return profile.Problem{Loc: loc, Msg: "cannot read file: " + errText(err)}
}

// Unreadable returns the input-unreadable problem of bytes that are not
// configuration text: over MaxFileSize, or binary (neither UTF-8 nor
// ISO-8859-1 text). ok is false for text, which extract may then parse.
func Unreadable(rel string, data []byte) (p profile.Problem, ok bool) {
	if len(data) > MaxFileSize {
		return ReadProblem(rel, &TooLargeError{Size: int64(len(data))}), true
	}
	if extract.IsBinary(data) || !utf8.Valid(data) && !latin1Text(data) {
		return profile.Problem{Loc: binaryAt(rel, data), Msg: "binary file: not a configuration file"}, true
	}
	return profile.Problem{}, false
}

// ApplyConfig applies dbguard.yaml to a profile as scan does: the
// environment override of its file's path, and replicas where no manifest
// gives them.
func ApplyConfig(cfg *config.Config, p *profile.Profile) { applyConfig(cfg, p.File, p) }

// SkipDir reports a folder scan never descends into (.git, vendor,
// node_modules, ...).
func SkipDir(name string) bool { return skipDirs[name] }

// IsOwnConfig reports a file name of dbguard's own configuration, which
// scan does not read as an application's.
func IsOwnConfig(name string) bool { return isOwnConfig(name) }

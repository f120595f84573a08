package scan

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// SpecialFileError is an input that is not a regular file: a FIFO, a
// socket, a device. Reading one can block forever (a FIFO nobody writes
// to, a terminal) or never end (/dev/zero), so it is refused before it is
// read, and opened, if at all, without waiting (O_NONBLOCK).
type SpecialFileError struct {
	Path string
	Mode fs.FileMode
}

func (e *SpecialFileError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file: not read", e.Path, fileKind(e.Mode))
}

// fileKind names the type of a file that is not regular.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m.IsDir():
		return "a directory"
	}
	return "a special file"
}

// OpenFile opens an input file for reading, refusing anything but a
// regular file (*SpecialFileError) before open(2) could block on it: the
// path is looked at first (symbolic links followed), then opened without
// waiting, then the file actually opened is looked at again, since the
// path may have changed hands in between. Every command reads its input
// files through it (ReadFile), so that a FIFO or a device named anywhere
// is refused at once and in the same words.
func OpenFile(name string) (*os.File, fs.FileInfo, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, nil, &SpecialFileError{Path: name, Mode: st.Mode()}
	}
	f, err := os.OpenFile(name, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, nil, err
	}
	if st, err = f.Stat(); err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, &SpecialFileError{Path: name, Mode: st.Mode()}
	}
	return f, st, nil
}

// ReadStdin reads standard input as scan - does, bounded by MaxFileSize
// (one byte over it, for the caller to see), and gives up when ctx ends:
// a terminal nobody types into or a pipe whose writer never closes would
// otherwise hold the command past SIGINT. The read itself cannot be
// interrupted; it is left to end with the process.
func ReadStdin(ctx context.Context, r io.Reader) ([]byte, error) {
	if r == nil {
		// Nothing to read: an empty document, never nil (nil data
		// means a file still to be read).
		return []byte{}, nil
	}
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
		done <- result{data, err}
	}()
	select {
	case res := <-done:
		if res.err != nil {
			return nil, fmt.Errorf("read standard input: %w", res.err)
		}
		return res.data, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("read standard input: %w", ctx.Err())
	}
}

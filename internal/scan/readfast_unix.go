//go:build unix

package scan

import (
	"sync/atomic"
	"syscall"
)

// readFast reads a regular file in four system calls: open, fstat, read
// and close. os.Open adds a registration attempt with the network poller
// and several fcntl calls per file, and io.ReadFull a last read to see the
// end: ten calls a file, which on a tree of small configuration files cost
// as much CPU as parsing them (bench/README.md, section "check"). A file
// listed by the walk is opened relative to its folder (openat), so that
// the kernel looks up one name instead of the whole path.
//
// ok is false on anything out of the ordinary (an error, not a regular
// file, over MaxFileSize, a short read); the caller then reads the file
// again through os, which reports the problem in its usual words.
//
// With buf, the file is read into *buf, grown when too small (a buffer
// that grew past maxKeptBuffer is not kept), and the bytes are valid until
// the next read into it.
func readFast(j job, buf *[]byte) (data []byte, ok bool) {
	fd, err := openJob(j)
	if err != nil {
		return nil, false
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if syscall.Fstat(fd, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG || st.Size <= 0 || st.Size > MaxFileSize {
		return nil, false
	}
	// The size fstat gave is what is read: a file growing while it is
	// read is read as it was, as a snapshot would be.
	var b []byte
	switch {
	case buf == nil:
		b = make([]byte, st.Size)
	case int64(cap(*buf)) >= st.Size:
		b = (*buf)[:st.Size]
	default:
		b = make([]byte, st.Size)
		if st.Size <= maxKeptBuffer {
			*buf = b
		}
	}
	for n := 0; n < len(b); {
		m, err := syscall.Read(fd, b[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil || m <= 0 {
			return nil, false
		}
		n += m
	}
	return b, true
}

// maxKeptBuffer is the largest read buffer a worker keeps between files.
const maxKeptBuffer = 1 << 20

// dirRef is an open folder whose files the workers open relative to it.
// It is closed when the walk and every file it listed are done with it.
type dirRef struct {
	fd   int
	refs atomic.Int32
}

func (d *dirRef) hold() {
	if d != nil {
		d.refs.Add(1)
	}
}

func (d *dirRef) release() {
	if d != nil && d.refs.Add(-1) == 0 {
		syscall.Close(d.fd)
	}
}

// openNonblock keeps open(2) from waiting for a writer should the path be
// a FIFO after all; regular files ignore it.
const openNonblock = syscall.O_NONBLOCK

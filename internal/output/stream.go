package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"runtime"
)

// JSONStream writes one JSON object field by field, byte for byte as
// json.Encoder with SetIndent("", "  ") writes the whole object, but
// without building the document in memory first: a report over ten
// thousand files holds megabytes of findings, and encoding them at once
// doubles the peak memory of the run.
type JSONStream struct {
	w      *bufio.Writer
	fields int
	err    error
	// compact and out are reused from value to value.
	compact bytes.Buffer
	enc     *json.Encoder
	out     []byte
}

// NewJSONStream starts an object on w.
func NewJSONStream(w io.Writer) *JSONStream {
	s := &JSONStream{w: bufio.NewWriterSize(w, 64<<10)}
	s.enc = json.NewEncoder(&s.compact)
	s.write("{")
	return s
}

func (s *JSONStream) write(str string) {
	if s.err == nil {
		_, s.err = s.w.WriteString(str)
	}
}

func (s *JSONStream) key(name string) {
	if s.fields > 0 {
		s.write(",")
	}
	s.fields++
	k, _ := json.Marshal(name)
	s.write("\n  " + string(k) + ": ")
}

// value writes v indented for the given depth (2 spaces a level).
func (s *JSONStream) value(v any, prefix string) {
	if s.err != nil {
		return
	}
	// json.MarshalIndent's result, without its allocations: the encoder
	// writes what Marshal would (and a newline), appendIndent indents it.
	s.compact.Reset()
	if err := s.enc.Encode(v); err != nil {
		s.err = err
		return
	}
	s.out = appendIndent(s.out[:0], bytes.TrimSuffix(s.compact.Bytes(), []byte("\n")), prefix, "  ")
	_, s.err = s.w.Write(s.out)
}

// Field writes one field of the object.
func (s *JSONStream) Field(name string, v any) {
	s.key(name)
	s.value(v, "  ")
}

// Array writes a field holding n items, each built only when written.
func (s *JSONStream) Array(name string, n int, item func(i int) any) {
	s.key(name)
	if n == 0 {
		s.write("[]")
		return
	}
	s.write("[")
	for i := 0; i < n; i++ {
		if i > 0 {
			s.write(",")
		}
		s.write("\n    ")
		s.value(item(i), "    ")
	}
	s.write("\n  ]")
}

// ArrayAppend is Array for items that write themselves: item appends the
// i-th to dst as json.MarshalIndent with the prefix "    " would. item must
// be safe to call from several goroutines at once: a long array is
// written in chunks by as many goroutines as there are processors, at most
// a few chunks ahead of the writer, in order.
func (s *JSONStream) ArrayAppend(name string, n int, item func(dst []byte, i int) []byte) {
	s.key(name)
	if n == 0 {
		s.write("[]")
		return
	}
	s.write("[")
	encode := func(dst []byte, from, to int) []byte {
		for i := from; i < to; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, "\n    "...)
			dst = item(dst, i)
		}
		return dst
	}
	const chunk = 128
	workers := runtime.GOMAXPROCS(0)
	if n <= chunk || workers == 1 {
		s.out = encode(s.out[:0], 0, n)
		s.writeOut()
	} else {
		s.encodeChunks(n, chunk, 2*workers, encode)
	}
	s.write("\n  ]")
}

// encodeChunks encodes [0, n) in chunks of size with up to ahead chunks in
// flight, and writes them in order.
func (s *JSONStream) encodeChunks(n, size, ahead int, encode func(dst []byte, from, to int) []byte) {
	chunks := (n + size - 1) / size
	done := make([]chan []byte, chunks)
	free := make(chan []byte, ahead)
	for range ahead {
		free <- nil
	}
	start := func(c int) {
		done[c] = make(chan []byte, 1)
		buf := <-free
		go func() {
			done[c] <- encode(buf[:0], c*size, min(n, (c+1)*size))
		}()
	}
	next := 0
	for ; next < min(ahead, chunks); next++ {
		start(next)
	}
	for c := 0; c < chunks; c++ {
		buf := <-done[c]
		if s.err == nil {
			_, s.err = s.w.Write(buf)
		}
		free <- buf
		if next < chunks {
			start(next)
			next++
		}
	}
}

func (s *JSONStream) writeOut() {
	if s.err == nil {
		_, s.err = s.w.Write(s.out)
	}
}

// Close ends the object, with the newline json.Encoder ends with, and
// flushes.
func (s *JSONStream) Close() error {
	if s.fields > 0 {
		s.write("\n")
	}
	s.write("}\n")
	if s.err != nil {
		return s.err
	}
	return s.w.Flush()
}

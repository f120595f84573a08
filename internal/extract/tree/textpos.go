package tree

import "unicode/utf8"

// textPos walks a source text byte by byte, keeping the 1-based line and
// rune column of pos: the cursor of the hand-written scanners (Prisma,
// Python) that locate every token as they read it.
type textPos struct {
	src       string
	pos       int
	line, col int // of pos, 1-based; col in runes
}

// advance moves past the character at pos.
func (t *textPos) advance() {
	if t.src[t.pos] == '\n' {
		t.line, t.col = t.line+1, 1
		t.pos++
		return
	}
	_, size := utf8.DecodeRuneInString(t.src[t.pos:])
	t.pos += size
	t.col++
}

func (t *textPos) errAt(line, col int, msg string) *SyntaxError {
	return &SyntaxError{Line: line, Col: col, Msg: msg}
}

func newTextPos(data []byte) textPos { return textPos{src: string(data), line: 1, col: 1} }

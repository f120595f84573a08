package tree

import "github.com/pelletier/go-toml/v2/unstable"

// Reader parses files one after another in memory it keeps between them.
// A scan reads tens of thousands of small files; allocating every file's
// nodes afresh, and collecting them after, costs more than parsing them.
//
// The trees a Reader returns are valid until its Reset, which clears their
// nodes for the next file: the caller must keep no *Node (nor a Children
// slice) past it. Strings taken from a tree (Key, Value, Comment) are not
// part of the kept memory and stay valid. The zero Reader is ready to use;
// it is not safe for concurrent use.
type Reader struct {
	a    arena
	toml unstable.Parser
}

func (r *Reader) arena() *arena {
	r.a.reuse = true
	return &r.a
}

// ParseYAML is ParseYAML in the Reader's memory.
func (r *Reader) ParseYAML(data []byte) ([]Document, error) { return parseYAML(data, r.arena()) }

// ParseJSON is ParseJSON in the Reader's memory.
func (r *Reader) ParseJSON(data []byte) (Document, error) { return parseJSON(data, r.arena()) }

// ParseTOML is ParseTOML in the Reader's memory.
func (r *Reader) ParseTOML(data []byte) (Document, error) {
	return parseTOML(data, r.arena(), &r.toml)
}

// ParseEnv is ParseEnv in the Reader's memory.
func (r *Reader) ParseEnv(data []byte) (Document, error) { return parseEnv(data, r.arena()) }

// ParseProperties is ParseProperties in the Reader's memory.
func (r *Reader) ParseProperties(data []byte) (Document, error) {
	return parseProperties(data, r.arena())
}

// ParseINI is ParseINI in the Reader's memory.
func (r *Reader) ParseINI(data []byte) (Document, error) { return parseINI(data, r.arena()) }

// Reset ends the life of every tree the Reader returned since the last
// Reset and readies its memory for the next file.
func (r *Reader) Reset() {
	r.a.reset()
	// go-toml's parser keeps its node buffer, which still points into
	// the last TOML file read until the next one overwrites it; its
	// reference to the whole input goes now.
	r.toml.Reset(nil)
}

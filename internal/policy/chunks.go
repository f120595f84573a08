package policy

// chunks is an append-only list kept in fixed-size blocks. The stream
// gathers thousands of findings and entries from its files; a slice would
// copy all of them each time it grows (about 9 MB of garbage on a
// 10,000-file check) and, at the moment it grows, hold both copies.
type chunks[T any] struct {
	blocks [][]T
	n      int
}

const chunkLen = 512

// add appends xs.
func (c *chunks[T]) add(xs ...T) {
	for _, x := range xs {
		if len(c.blocks) == 0 || len(c.blocks[len(c.blocks)-1]) == chunkLen {
			c.blocks = append(c.blocks, make([]T, 0, chunkLen))
		}
		last := &c.blocks[len(c.blocks)-1]
		*last = append(*last, x)
		c.n++
	}
}

// len is the number of elements.
func (c *chunks[T]) len() int { return c.n }

// at is element i.
func (c *chunks[T]) at(i int) *T { return &c.blocks[i/chunkLen][i%chunkLen] }

// filter keeps, in order, the elements keep accepts.
func (c *chunks[T]) filter(keep func(*T) bool) {
	var out chunks[T]
	for _, b := range c.blocks {
		for i := range b {
			if keep(&b[i]) {
				out.add(b[i])
			}
		}
	}
	*c = out
}

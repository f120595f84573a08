package tree

// ParseYAMLFast and ParseYAMLLib expose ParseYAML's two paths, so that the
// differential tests can hold one against the other.
func ParseYAMLFast(data []byte) ([]Document, bool) {
	var a arena
	a.hint(estimate(data))
	return parseYAMLFast(data, &a)
}

func ParseYAMLLib(data []byte) ([]Document, error) {
	var a arena
	a.hint(estimate(data))
	return parseYAMLLib(data, &a)
}

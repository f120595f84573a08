package tree

// ParseYAMLFast and ParseYAMLLib expose ParseYAML's two paths, so that the
// differential tests can hold one against the other.
func ParseYAMLFast(data []byte) ([]Document, bool) {
	var a arena
	a.hint(estimate(data))
	docs, ok, err := parseYAMLFast(data, &a)
	return docs, ok && err == nil
}

func ParseYAMLLib(data []byte) ([]Document, error) {
	var a arena
	a.hint(estimate(data))
	return parseYAMLLib(data, &a)
}

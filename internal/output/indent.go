package output

// appendIndent appends src, compact JSON as json.Marshal writes it, to dst
// indented exactly as json.Indent(dst, src, prefix, indent) would: a
// newline, the prefix and one indent per level before each element and
// closing bracket, ": " after a key, empty objects and arrays kept as {}
// and []. It is a single pass over the bytes with only strings to track;
// json.Indent runs its validating scanner on every byte, which on a report
// of thousands of findings cost as much as encoding them.
//
// src must be valid JSON; whitespace outside strings is dropped, as
// json.Indent drops it. TestAppendIndent and FuzzAppendIndent hold it to
// json.Indent.
func appendIndent(dst, src []byte, prefix, indent string) []byte {
	depth := 0
	newline := func() {
		dst = append(dst, '\n')
		dst = append(dst, prefix...)
		for range depth {
			dst = append(dst, indent...)
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '"':
			// Copy the string whole: an escaped quote does not end it.
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(src) {
				j = len(src) - 1
			}
			dst = append(dst, src[i:j+1]...)
			i = j
		case '{', '[':
			dst = append(dst, c)
			k := i + 1
			for k < len(src) && isSpace(src[k]) {
				k++
			}
			if k < len(src) && (src[k] == '}' || src[k] == ']') {
				dst = append(dst, src[k])
				i = k
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, ':', ' ')
		case ' ', '\t', '\n', '\r':
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

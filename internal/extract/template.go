package extract

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// Template tags (ERB's <%= ... %>, Jinja's {{ ... }} and {% ... %}, Helm's
// and Go's {{ ... }}) are rendered before the YAML they sit in is parsed,
// so their text need not be valid YAML: `pool: <%= a ? b : c %>` is not,
// and neither is a line holding `{{- if .Values.x }}`. dbguard does not
// render them. It reads the file as the template's author wrote it:
//
//   - A line holding nothing but tags (control flow, comments, includes,
//     `toYaml . | nindent 8`) is emptied: it stands for YAML dbguard cannot
//     know, or for none. A tag spanning lines ({{- /* ... */ -}}) that has
//     nothing else on its lines is emptied the same way.
//   - Every other tag is replaced by a placeholder of the same length in
//     characters, which parses as a plain scalar, so every position in the
//     file stays where it was; the tag's text is put back into the value or
//     key after the parse, where the interpolation reader (interp.go) turns
//     it into an unresolved value that keeps its variable and default.
//   - Both branches of a conditional are kept: the lines of each branch
//     know the conditions they sit under, and the profile records them as
//     `conditional` notes. When two branches of one block set the same key
//     (kind: Deployment / kind: StatefulSet), or add a list item of the
//     same name (two DB_PASSWORD env entries), the first branch's is read
//     and the other is named by the note as the alternative.
//   - If the YAML of both branches together does not parse (a map in one
//     branch where the other has a list), the file is read again with only
//     the first branch of each block.
type templateMask struct {
	tags     []string // placeholder n -> the tag's text
	branches []branch
	// lineArm holds, for each 1-based line, 1 + the index of the
	// innermost branch the line sits in, 0 outside any; nil when the file
	// has no block.
	lineArm []int32
	// alts maps the line of a value kept from one branch to the position
	// (line, column) of the same key's value in another branch.
	alts map[int][2]int
}

// branch is one arm of a template block: the lines between {{ if }} and
// {{ else }}, or between {{ else }} and {{ end }}.
type branch struct {
	block  int32  // the block (if, with, range, ...) the arm belongs to
	arm    int32  // 0 for the block's first arm, 1... for else arms
	parent int32  // 1 + the enclosing branch, 0 at the top level
	cond   string // `if .Values.x`, `else (if .Values.x)`
}

// maxCondLen bounds a condition's text in a note.
const maxCondLen = 120

// maxBlockDepth bounds the nesting of template blocks that is followed,
// and maxAlternatives the earlier entries of one key that an entry is
// compared with, so that a hostile file costs linear time.
const (
	maxBlockDepth   = 64
	maxAlternatives = 8
)

// placeholderPrefix starts every placeholder; the tag's number follows in
// base 36, then 'Z' and 'x' up to the tag's length.
const placeholderPrefix = "TPL"

// maskTemplates returns data with template tags replaced, and the way back.
// It returns data unchanged (and a nil mask) when there are no tags.
func maskTemplates(data []byte) ([]byte, *templateMask) {
	if !bytes.Contains(data, []byte("<%")) && !bytes.Contains(data, []byte("{{")) && !bytes.Contains(data, []byte("{%")) {
		// Most files have no tags: look before copying the text.
		return data, nil
	}
	s := string(data)
	m := &templateMask{}
	var stack []int32 // open branches, innermost last, as 1 + index
	blocks := int32(0)
	top := func() int32 {
		if len(stack) == 0 {
			return 0
		}
		return stack[len(stack)-1]
	}
	control := func(tag string) {
		kind, text := controlOf(tag)
		switch kind {
		case ctlOpen:
			if len(stack) >= maxBlockDepth {
				// Deeper blocks count as the one that holds them.
				stack = append(stack, top())
				return
			}
			m.branches = append(m.branches, branch{block: blocks, parent: top(), cond: text})
			blocks++
			stack = append(stack, int32(len(m.branches)))
		case ctlElse:
			if len(stack) == 0 || len(stack) > maxBlockDepth || top() == 0 {
				return
			}
			cur := m.branches[stack[len(stack)-1]-1]
			first := cur.cond
			if cur.arm > 0 {
				if i := strings.LastIndex(first, " ("); i >= 0 {
					first = strings.TrimSuffix(first[i+2:], ")")
				}
			}
			m.branches = append(m.branches, branch{block: cur.block, arm: cur.arm + 1, parent: cur.parent,
				cond: text + " (" + first + ")"})
			stack[len(stack)-1] = int32(len(m.branches))
		case ctlEnd:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	var arms []int32
	var cl closers
	for i := 0; i < len(s); {
		// At the start of a line: is it nothing but tags, or a list
		// item's dash followed by nothing but tags (`- {{- if .x }}`,
		// whose item is on the next lines)?
		from, arm := i, int32(0)
		if d := dashPrefix(s, i); d > i {
			from, arm = d, top()
		}
		if end, ok := cl.tagsOnly(s, from); ok && (from == i || cl.anyControl(s, from, end)) {
			b.WriteString(s[i:from])
			for j := from; j < end; {
				j = skipBlank(s, j)
				if j >= end {
					break
				}
				e := cl.tagEnd(s, j)
				control(s[j:e])
				j = e
			}
			for j := from; j < end; j++ {
				if s[j] == '\n' {
					if j > from && s[j-1] == '\r' {
						b.WriteByte('\r')
					}
					b.WriteByte('\n')
					arms = append(arms, arm)
					arm = 0
				}
			}
			i = end
			continue
		}
		arms = append(arms, top())
		// A line of YAML, with tags inside it.
		for i < len(s) && s[i] != '\n' {
			open, closer := tagOpener(s, i)
			if open == "" {
				b.WriteByte(s[i])
				i++
				continue
			}
			rest := s[i+2:]
			if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
				rest = rest[:nl]
			}
			end := strings.Index(rest, closer)
			if end < 0 {
				b.WriteString(open)
				i += 2
				continue
			}
			tag := s[i : i+2+end+2]
			control(tag)
			ph := placeholderPrefix + strconv.FormatInt(int64(len(m.tags)), 36) + "Z"
			runes := utf8.RuneCountInString(tag)
			if len(ph) > runes {
				b.WriteString(tag)
				i += len(tag)
				continue
			}
			m.tags = append(m.tags, tag)
			b.WriteString(ph)
			for k := len(ph); k < runes; k++ {
				b.WriteByte('x')
			}
			i += len(tag)
		}
		if i < len(s) {
			b.WriteByte('\n')
			i++
		}
	}
	if len(m.tags) == 0 && len(m.branches) == 0 && b.Len() == len(s) {
		return data, nil
	}
	if len(m.branches) > 0 {
		m.lineArm = make([]int32, 1, len(arms)+1)
		m.lineArm = append(m.lineArm, arms...)
	}
	return []byte(b.String()), m
}

// tagOpener returns the opening and closing delimiters of a tag at s[i:].
func tagOpener(s string, i int) (open, closer string) {
	if i+1 >= len(s) {
		return "", ""
	}
	switch {
	case s[i] == '<' && s[i+1] == '%':
		return "<%", "%>"
	case s[i] == '{' && s[i+1] == '{':
		return "{{", "}}"
	case s[i] == '{' && s[i+1] == '%':
		return "{%", "%}"
	case s[i] == '{' && s[i+1] == '#':
		return "{#", "#}"
	}
	return "", ""
}

// closers finds the next closing delimiter of each kind. The scan asks
// for them at increasing offsets, so one answer serves every question up
// to it: a file of unclosed tags costs linear time, not quadratic.
type closers struct {
	from, at [4]int // per kind: searched from, found at (-1: none after from)
}

func closerKind(closer string) int {
	switch closer {
	case "%>":
		return 0
	case "}}":
		return 1
	case "%}":
		return 2
	}
	return 3
}

// tagEnd returns the offset just past the tag that starts at s[i:], or -1
// when it is not closed.
func (c *closers) tagEnd(s string, i int) int {
	open, closer := tagOpener(s, i)
	if open == "" {
		return -1
	}
	k, start := closerKind(closer), i+2
	if c.from[k] == 0 || start < c.from[k] || c.at[k] >= 0 && start > c.at[k] {
		c.from[k], c.at[k] = start, -1
		if e := strings.Index(s[start:], closer); e >= 0 {
			c.at[k] = start + e
		}
	}
	if c.at[k] < 0 {
		return -1
	}
	return c.at[k] + 2
}

// anyControl reports whether the tags in s[from:end] (blanks and tags
// only) hold a control tag: `- {{ .Values.url | quote }}` is a list item
// of its own, `- {{- if .x }}` opens one whose text follows.
func (c *closers) anyControl(s string, from, end int) bool {
	for j := from; j < end; {
		j = skipBlank(s, j)
		if j >= end {
			return false
		}
		e := c.tagEnd(s, j)
		if k, _ := controlOf(s[j:e]); k != ctlNone {
			return true
		}
		j = e
	}
	return false
}

// dashPrefix returns the offset past a list item's dash and the blanks
// after it at the start of the line s[i:], or i when there is none.
func dashPrefix(s string, i int) int {
	j := i
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if j+1 >= len(s) || s[j] != '-' || s[j+1] != ' ' && s[j+1] != '\t' {
		return i
	}
	j++
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	return j
}

func skipBlank(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
		i++
	}
	return i
}

// tagsOnly reports whether the line starting at s[i:] holds nothing but
// tags and blanks (a tag may run over several lines, which must then hold
// nothing else either), and returns the offset just past the last of its
// lines' line breaks.
func (c *closers) tagsOnly(s string, i int) (end int, ok bool) {
	j := i
	tags := 0
	for {
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		if j >= len(s) || s[j] == '\n' || s[j] == '\r' && (j+1 == len(s) || s[j+1] == '\n') {
			if tags == 0 {
				return 0, false
			}
			if j < len(s) && s[j] == '\r' {
				j++
			}
			if j < len(s) {
				j++
			}
			return j, true
		}
		e := c.tagEnd(s, j)
		if e < 0 {
			return 0, false
		}
		tags++
		j = e
	}
}

type ctlKind uint8

const (
	ctlNone ctlKind = iota
	ctlOpen
	ctlElse
	ctlEnd
)

// controlOf tells whether a tag opens a block, starts another arm of one
// or ends one, and returns its text as a condition: the body without
// delimiters, trim markers or runs of blanks.
func controlOf(tag string) (ctlKind, string) {
	body := tag[2 : len(tag)-2]
	erb := tag[0] == '<'
	jinja := tag[1] == '%'
	switch {
	case tag[1] == '#', erb && strings.HasPrefix(body, "#"), erb && strings.HasPrefix(body, "="),
		!erb && !jinja && strings.HasPrefix(strings.TrimLeft(body, "- "), "/*"):
		return ctlNone, "" // comments and output
	}
	body = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(body, "-"), "-"))
	body = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(body, "+"), "+"))
	word := body
	if k := strings.IndexAny(word, " \t({|"); k >= 0 {
		word = word[:k]
	}
	kind := ctlNone
	switch {
	case erb:
		switch word {
		case "if", "unless", "case", "while", "until", "for", "begin":
			kind = ctlOpen
		case "else", "elsif", "when", "in", "rescue", "ensure":
			kind = ctlElse
		case "end", "}":
			kind = ctlEnd
		default:
			t := strings.TrimSpace(body)
			if strings.HasSuffix(t, " do") || strings.HasSuffix(t, "|") && (strings.Contains(t, " do |") || strings.Contains(t, "{ |")) {
				kind = ctlOpen
			}
		}
	case jinja:
		switch {
		case word == "if" || word == "for" || word == "with" || word == "macro" || word == "block" ||
			word == "call" || word == "filter":
			kind = ctlOpen
		case word == "elif" || word == "else":
			kind = ctlElse
		case strings.HasPrefix(word, "end"):
			kind = ctlEnd
		}
	default:
		switch word {
		case "if", "with", "range", "define", "block":
			kind = ctlOpen
		case "else":
			kind = ctlElse
		case "end":
			kind = ctlEnd
		}
	}
	if kind == ctlNone || kind == ctlEnd {
		return kind, ""
	}
	return kind, condText(body)
}

// condText is a condition as a note shows it: blanks collapsed, bounded in
// length. A condition that names a secret (`if eq .Values.db.password
// "..."`) keeps only its keywords and references (.Values.x, $x, ENV[...]):
// every other word, and every quoted literal, shows as xxxxx.
func condText(body string) string {
	words := strings.Fields(body)
	if mayNameSecret([]byte(body)) {
		words = strings.Fields(hideLiterals(body))
		for i, w := range words {
			if !condWordShown(w) {
				words[i] = "xxxxx"
			}
		}
	}
	body = strings.Join(words, " ")
	if len(body) > maxCondLen {
		cut := maxCondLen
		for cut > 0 && !utf8.RuneStart(body[cut]) {
			cut--
		}
		body = body[:cut] + "..."
	}
	return body
}

// hideLiterals replaces the text of every quoted literal by xxxxx, but
// for the names of environment variables (ENV["X"], ENV.fetch("X")).
func hideLiterals(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '"' && c != '\'' && c != '`' {
			b.WriteByte(c)
			continue
		}
		e := strings.IndexByte(s[i+1:], c)
		if e < 0 {
			b.WriteString(string(c) + "xxxxx")
			break
		}
		lit := s[i+1 : i+1+e]
		if !strings.HasSuffix(s[:i], "ENV[") && !strings.HasSuffix(s[:i], "ENV.fetch(") || !isVarName(lit) {
			lit = "xxxxx"
		}
		b.WriteString(string(c) + lit + string(c))
		i += e + 1
	}
	return b.String()
}

// condWordShown reports a word of a condition that cannot be a secret's
// text: a keyword or operator, a reference, a hidden literal.
func condWordShown(w string) bool {
	w = strings.Trim(w, "()")
	switch w {
	case "", "if", "else", "elsif", "elif", "unless", "with", "range", "not", "and", "or", "eq", "ne",
		"empty", "==", "!=", "&&", "||", "!", "-", "xxxxx", `"xxxxx"`, "'xxxxx'", "`xxxxx`":
		return true
	}
	return w[0] == '.' || w[0] == '$' || strings.HasPrefix(w, "ENV[") || strings.HasPrefix(w, "ENV.fetch(")
}

// firstArms returns masked with every line of a block's later arm
// emptied: the file as it reads when each block's first arm is taken.
func (m *templateMask) firstArms(masked []byte) ([]byte, bool) {
	if m == nil || m.lineArm == nil {
		return nil, false
	}
	out := make([]byte, 0, len(masked))
	line, changed := 1, false
	for len(masked) > 0 {
		n := bytes.IndexByte(masked, '\n')
		text := masked
		if n >= 0 {
			text, masked = masked[:n], masked[n+1:]
		} else {
			masked = nil
		}
		if m.laterArm(line) {
			changed = true
		} else {
			out = append(out, text...)
		}
		if n >= 0 {
			out = append(out, '\n')
		}
		line++
	}
	return out, changed
}

// armOf returns 1 + the innermost branch of a line, 0 outside any.
func (m *templateMask) armOf(line int) int32 {
	if m == nil || line <= 0 || line >= len(m.lineArm) {
		return 0
	}
	return m.lineArm[line]
}

// laterArm reports whether a line sits in a block's second or later arm,
// at any depth.
func (m *templateMask) laterArm(line int) bool {
	for a := m.armOf(line); a > 0; a = m.branches[a-1].parent {
		if m.branches[a-1].arm > 0 {
			return true
		}
	}
	return false
}

// alternatives reports whether two lines sit in different arms of one
// block, so that at most one of them is rendered.
func (m *templateMask) alternatives(l1, l2 int) bool {
	for a := m.armOf(l1); a > 0; a = m.branches[a-1].parent {
		for b := m.armOf(l2); b > 0; b = m.branches[b-1].parent {
			if x, y := m.branches[a-1], m.branches[b-1]; x.block == y.block {
				return x.arm != y.arm
			}
		}
	}
	return false
}

// condition returns the conditions a line sits under, outermost first.
func (m *templateMask) condition(line int) string {
	var cs []string
	for a := m.armOf(line); a > 0; a = m.branches[a-1].parent {
		cs = append(cs, m.branches[a-1].cond)
	}
	for i, j := 0, len(cs)-1; i < j; i, j = i+1, j-1 {
		cs[i], cs[j] = cs[j], cs[i]
	}
	return strings.Join(cs, "; ")
}

// restore puts the tags back into every scalar and key of the documents,
// and keeps the first of two alternatives for one key.
func (m *templateMask) restore(docs []tree.Document) {
	if m == nil {
		return
	}
	for _, d := range docs {
		m.restoreNode(d.Root)
	}
}

func (m *templateMask) restoreNode(n *tree.Node) {
	if n == nil {
		return
	}
	if len(m.tags) > 0 {
		if v, ok := m.replace(n.Value); ok {
			n.Value, n.Type = v, tree.String
		}
		if k, ok := m.replace(n.Key); ok {
			n.Key = k
		}
	}
	for _, c := range n.Children {
		m.restoreNode(c)
	}
	if m.lineArm != nil && len(n.Children) > 1 && (n.Kind == tree.Map || n.Kind == tree.Seq) {
		m.dropAlternatives(n)
	}
}

// dropAll applies dropAlternatives to every map and list of a tree whose
// lines are the masked file's (an embedded file's tree, once shifted).
func (m *templateMask) dropAll(n *tree.Node, depth int) {
	if m == nil || m.lineArm == nil || n == nil || depth > tree.MaxDepth {
		return
	}
	for _, c := range n.Children {
		m.dropAll(c, depth+1)
	}
	if len(n.Children) > 1 && (n.Kind == tree.Map || n.Kind == tree.Seq) {
		m.dropAlternatives(n)
	}
}

// dropAlternatives removes from a map the keys, and from a list the items
// of a name (env entries), that an earlier arm of the same block sets
// already, and remembers where the alternative was.
func (m *templateMask) dropAlternatives(n *tree.Node) {
	var seen map[string][]int // key -> its first kept entries, by index in kept
	kept := n.Children[:0]
	for _, c := range n.Children {
		name, line := altKey(n.Kind, c)
		drop := false
		if name != "" {
			if seen == nil {
				seen = map[string][]int{}
			}
			for _, i := range seen[name] {
				k := kept[i]
				if _, kl := altKey(n.Kind, k); m.alternatives(kl, line) {
					if m.alts == nil {
						m.alts = map[int][2]int{}
					}
					m.noteAlternative(k, c, 0)
					drop = true
					break
				}
			}
			if !drop && len(seen[name]) < maxAlternatives {
				seen[name] = append(seen[name], len(kept))
			}
		}
		if !drop {
			kept = append(kept, c)
		}
	}
	clear(n.Children[len(kept):])
	n.Children = kept
}

// noteAlternative records, for every scalar of kept, where the same value
// sits in dropped (matched by key path), so that a note can name it.
func (m *templateMask) noteAlternative(kept, dropped *tree.Node, depth int) {
	if depth > tree.MaxDepth || len(kept.Children) > 64 {
		return
	}
	if kept.Kind == tree.Scalar && dropped.Kind == tree.Scalar {
		col := dropped.Col
		if dropped.Quoted {
			col++ // as fileCtx.value points past the quote
		}
		m.alts[kept.Line] = [2]int{dropped.Line, col}
		return
	}
	for _, c := range kept.Children {
		if c.Key == "" {
			continue
		}
		if d := dropped.Get(c.Key); d != nil {
			m.noteAlternative(c, d, depth+1)
		}
	}
}

// altKey is what makes two entries alternatives: a map entry's key, or a
// list item's name: (an env entry, a container, a port).
func altKey(kind tree.Kind, c *tree.Node) (string, int) {
	if kind == tree.Map {
		line := c.KeyLine
		if line == 0 {
			line = c.Line
		}
		return c.Key, line
	}
	if name := c.Get("name"); name != nil && name.Kind == tree.Scalar && name.Value != "" {
		return name.Value, name.KeyLine
	}
	return "", 0
}

// replace puts the tags back in place of their placeholders in s.
func (m *templateMask) replace(s string) (string, bool) {
	i := strings.Index(s, placeholderPrefix)
	if i < 0 {
		return s, false
	}
	var b strings.Builder
	done := 0
	for i >= 0 {
		j := i + len(placeholderPrefix)
		k := j
		for k < len(s) && (s[k] >= '0' && s[k] <= '9' || s[k] >= 'a' && s[k] <= 'z') {
			k++
		}
		next := i + 1
		if k > j && k < len(s) && s[k] == 'Z' {
			if n, err := strconv.ParseInt(s[j:k], 36, 64); err == nil && n < int64(len(m.tags)) {
				tag := m.tags[n]
				end := i + utf8.RuneCountInString(tag)
				if end <= len(s) && strings.Trim(s[k+1:end], "x") == "" {
					b.WriteString(s[done:i])
					b.WriteString(tag)
					done, next = end, end
				}
			}
		}
		if next >= len(s) {
			break
		}
		if e := strings.Index(s[next:], placeholderPrefix); e >= 0 {
			i = next + e
		} else {
			i = -1
		}
	}
	if done == 0 {
		return s, false
	}
	b.WriteString(s[done:])
	return b.String(), true
}

// noteConditions records on each profile the fields whose value sits in a
// branch of a template block. shift is the line of the file where the
// masked text starts, past the first (0 for a whole file; an embedded
// file's string value starts further down).
func (m *templateMask) noteConditions(path string, ps []*profile.Profile, shift int) {
	if m == nil || m.lineArm == nil {
		return
	}
	for _, p := range ps {
		add := func(name string, loc profile.Location) {
			line := loc.Line - shift
			if loc.Line == 0 || loc.File != path || m.armOf(line) == 0 {
				return
			}
			n := profile.Note{Kind: profile.NoteConditional, Key: m.condition(line), Field: name, Loc: loc}
			if alt, ok := m.alts[line]; ok {
				n.Other = profile.Location{File: path, Line: alt[0] + shift, Column: alt[1]}
			}
			p.Notes = append(p.Notes, n)
		}
		p.EachField(func(name string, v profile.Value) { add(name, v.Loc) })
		add("password", p.Password.Loc)
	}
}

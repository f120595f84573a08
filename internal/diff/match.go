package diff

import (
	"sort"
	"strings"

	"github.com/dbguard/dbguard/internal/profile"
)

// matched is one profile on both sides.
type matched struct {
	old, new *profile.Profile
}

// identity is what names a connection across revisions: its environment,
// name and key path. The file is deliberately not part of it.
func identity(p *profile.Profile) string {
	return string(p.Environment) + "|" + p.Name + "|" + p.KeyPath
}

// match pairs the profiles of the two sides, in passes from the most to
// the least certain, each pass only among what earlier passes left:
//
//  1. the same key path in the same file (or in the file it was paired
//     with: a pair of single files);
//  2. the same identity (environment, name, key path), when exactly one
//     profile on each side has it: a renamed or moved file;
//  3. in the same file, the same name, then the same connection (driver,
//     host, port, database, user): a renamed key, reordered list entries;
//  4. anywhere, the same environment and the same connection, when that is
//     unambiguous: a block moved to another file under another key.
//
// What is left is removed or added.
func match(olds, news []*profile.Profile, pairs map[string]string) (ms []matched, removed, added []*profile.Profile) {
	usedO := make([]bool, len(olds))
	usedN := make([]bool, len(news))
	take := func(i, j int) {
		usedO[i], usedN[j] = true, true
		ms = append(ms, matched{olds[i], news[j]})
	}
	// Pass 0: entries of a list (databases[0], databases[1]) in the same
	// file pair by content first, so that reordering a list does not pair
	// the primary with the replica.
	listGroup := func(p *profile.Profile, file string) string {
		if !strings.Contains(p.KeyPath, "[") {
			return ""
		}
		return file + "#" + indexRE(p.KeyPath)
	}
	bestPairs(olds, news, usedO, usedN, take, 3, func(p *profile.Profile, old bool) string {
		if !old {
			return listGroup(p, p.File)
		}
		f, ok := pairs[p.File]
		if !ok {
			return ""
		}
		return listGroup(p, f)
	})
	// Pass 1.
	byFileKey := map[string][]int{}
	for j, p := range news {
		byFileKey[p.File+"#"+p.KeyPath] = append(byFileKey[p.File+"#"+p.KeyPath], j)
	}
	for i, p := range olds {
		f, ok := pairs[p.File]
		if !ok {
			continue
		}
		for _, j := range byFileKey[f+"#"+p.KeyPath] {
			if !usedN[j] {
				take(i, j)
				break
			}
		}
	}
	// Pass 2.
	uniq := func(keyOf func(*profile.Profile) string, ok func(i, j int) bool) {
		oi, ni := map[string][]int{}, map[string][]int{}
		for i, p := range olds {
			if !usedO[i] {
				if k := keyOf(p); k != "" {
					oi[k] = append(oi[k], i)
				}
			}
		}
		for j, p := range news {
			if !usedN[j] {
				if k := keyOf(p); k != "" {
					ni[k] = append(ni[k], j)
				}
			}
		}
		keys := make([]string, 0, len(oi))
		for k := range oi {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if len(oi[k]) == 1 && len(ni[k]) == 1 && (ok == nil || ok(oi[k][0], ni[k][0])) {
				take(oi[k][0], ni[k][0])
			}
		}
	}
	uniq(identity, nil)
	// Pass 3: within a file and the file it became.
	sameFile := func(i, j int) bool {
		f, ok := pairs[olds[i].File]
		return ok && f == news[j].File
	}
	uniq(func(p *profile.Profile) string { return p.File + "|" + p.Name }, func(i, j int) bool {
		return olds[i].File == news[j].File || sameFile(i, j)
	})
	bestPairs(olds, news, usedO, usedN, take, 3, func(p *profile.Profile, old bool) string {
		f := p.File
		if old {
			var ok bool
			if f, ok = pairs[p.File]; !ok {
				return ""
			}
		}
		return f + "|" + string(p.Environment)
	})
	// Pass 4: anywhere, the same environment and connection.
	bestPairs(olds, news, usedO, usedN, take, 4, func(p *profile.Profile, _ bool) string {
		return string(p.Environment)
	})
	for i, p := range olds {
		if !usedO[i] {
			removed = append(removed, p)
		}
	}
	for j, p := range news {
		if !usedN[j] {
			added = append(added, p)
		}
	}
	return ms, removed, added
}

// bestPairs matches leftover profiles of the same group (an empty group
// matches nothing) by how many connection values they share, at least min
// of them, when the best partner is unambiguous both ways.
func bestPairs(olds, news []*profile.Profile, usedO, usedN []bool, take func(i, j int), min int, group func(p *profile.Profile, old bool) string) {
	type cand struct{ i, j, score int }
	newByGroup := map[string][]int{}
	for j, n := range news {
		if !usedN[j] {
			if g := group(n, false); g != "" {
				newByGroup[g] = append(newByGroup[g], j)
			}
		}
	}
	var cs []cand
	for i, o := range olds {
		if usedO[i] {
			continue
		}
		g := group(o, true)
		if g == "" {
			continue
		}
		for _, j := range newByGroup[g] {
			n := news[j]
			if o.ServerSide != n.ServerSide {
				continue
			}
			if s := similarity(o, n); s >= min {
				cs = append(cs, cand{i, j, s})
			}
		}
	}
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].score > cs[b].score })
	for _, c := range cs {
		if usedO[c.i] || usedN[c.j] {
			continue
		}
		// Unambiguous: no other free candidate with the same score for
		// either profile.
		tie := false
		for _, d := range cs {
			if d != c && d.score == c.score && !usedO[d.i] && !usedN[d.j] && (d.i == c.i || d.j == c.j) {
				tie = true
				break
			}
		}
		if !tie {
			take(c.i, c.j)
		}
	}
}

// similarity counts the connection values two profiles share.
func similarity(a, b *profile.Profile) int {
	n := 0
	eq := func(x, y profile.Value) {
		if x.Set && y.Set && strings.EqualFold(strings.TrimSpace(x.Text), strings.TrimSpace(y.Text)) {
			n++
		}
	}
	eq(a.Driver, b.Driver)
	eq(a.FirstHost().Host, b.FirstHost().Host)
	eq(a.FirstHost().Port, b.FirstHost().Port)
	eq(a.Database, b.Database)
	eq(a.User, b.User)
	if a.Format == b.Format {
		n++
	}
	return n
}

// indexRE strips list indexes from a key path: databases[1].x -> databases[].x.
func indexRE(kp string) string {
	var b strings.Builder
	skip := false
	for _, r := range kp {
		switch {
		case r == '[':
			skip = true
			b.WriteRune(r)
		case r == ']':
			skip = false
			b.WriteRune(r)
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}

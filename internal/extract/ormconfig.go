package extract

import (
	"path"
	"strconv"
	"strings"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// nameORMConfig names the connections of a TypeORM ormconfig file as
// TypeORM does: a connection's name key, else "default". An
// ormconfig.json holds one connection at its root or a list of them,
// which the generic walk names "" and "[0]", "[1]"; an ormconfig.yml's
// top-level keys are already the names.
func nameORMConfig(fc *fileCtx, root *tree.Node, ps []*profile.Profile) {
	if !strings.HasPrefix(strings.ToLower(path.Base(fc.path)), "ormconfig.") {
		return
	}
	for _, p := range ps {
		var n *tree.Node
		switch {
		case p.KeyPath == "" && root.Kind == tree.Map:
			n = root
		case root.Kind == tree.Seq && strings.HasPrefix(p.KeyPath, "[") && strings.HasSuffix(p.KeyPath, "]"):
			i, err := strconv.Atoi(p.KeyPath[1 : len(p.KeyPath)-1])
			if err != nil || i < 0 || i >= len(root.Children) {
				continue
			}
			n = root.Children[i]
		default:
			continue
		}
		p.Name = "default"
		if c := n.Get("name"); c != nil && c.Kind == tree.Scalar && c.Value != "" {
			p.Name = c.Value
		}
	}
}

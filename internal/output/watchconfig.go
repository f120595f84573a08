package output

import (
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// WatchConfig prints watch --check-config's view of the watch section
// (watch.ConfigView: defaults filled in, secrets masked) as YAML, the
// language it was written in.
func WatchConfig(w io.Writer, view any) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(map[string]any{"watch": view}); err != nil {
		return fmt.Errorf("write the configuration: %w", err)
	}
	return enc.Close()
}

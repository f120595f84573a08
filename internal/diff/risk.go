package diff

import (
	"fmt"
	"strings"
)

// Risk rates a change. The zero value is None: no change of meaning.
type Risk int

const (
	None Risk = iota
	Low
	Medium
	High
	Critical
)

// Risks lists the risk levels from the least to the most severe, None
// excluded.
func Risks() []Risk { return []Risk{Low, Medium, High, Critical} }

func (r Risk) String() string {
	switch r {
	case Low:
		return "low"
	case Medium:
		return "medium"
	case High:
		return "high"
	case Critical:
		return "critical"
	}
	return "none"
}

// ParseRisk reads low, medium, high or critical (and none).
func ParseRisk(s string) (Risk, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "none":
		return None, nil
	case "low":
		return Low, nil
	case "medium":
		return Medium, nil
	case "high":
		return High, nil
	case "critical":
		return Critical, nil
	}
	return None, fmt.Errorf("unknown risk %q (use low, medium, high or critical)", s)
}

func (r Risk) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

func (r *Risk) UnmarshalText(b []byte) error {
	v, err := ParseRisk(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

package extract

import (
	"sync"

	"github.com/dbguard/dbguard/internal/profile"
)

// profiles holds Profile structs given back with Release, for File to
// fill again. A profile is about 1.9 KB, and on a large check they were
// half of all memory allocated: each one garbage as soon as its file was
// judged. Like contexts, a cache no caller can observe unless it releases
// a profile it still uses.
var profiles = sync.Pool{New: func() any { return new(profile.Profile) }}

// newProfile returns an empty profile, reused when one was released.
func newProfile() *profile.Profile { return profiles.Get().(*profile.Profile) }

// Release gives back profiles File returned, for a later File to reuse.
// The caller must not use them, nor anything it did not copy out of them,
// afterwards: strings stay valid (they are never reused), maps and slices
// inside a profile do not.
func Release(ps []*profile.Profile) {
	for _, p := range ps {
		if p == nil {
			continue
		}
		params := p.Params
		*p = profile.Profile{}
		if len(params) <= 16 {
			// A small map keeps its memory for the next profile's
			// parameters; SetParam fills it.
			clear(params)
			p.Params = params
		}
		profiles.Put(p)
	}
}

package app

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/dbguard/dbguard/internal/store"
)

// AmbiguousProfileError is a profile name that several recorded profiles
// bear: the user must say which, by id.
type AmbiguousProfileError struct {
	Name string
	// Candidates are the profiles' ids (FILE#KEY.PATH, the file as the
	// store keys it), sorted.
	Candidates []string
}

func (e *AmbiguousProfileError) Error() string {
	return fmt.Sprintf("%d recorded profiles are named %q; give one by its id: %s", len(e.Candidates), e.Name, strings.Join(e.Candidates, ", "))
}

// resolveProfile turns --profile into the store's key: an id
// (FILE#KEY.PATH), a file, or a profile's name as scan shows it. A file
// that exists on disk or has recorded revisions is a file; anything else
// is looked up by name among the redacted profiles of every recorded
// revision, and several profiles of that name are an
// *AmbiguousProfileError (in a *RequestError). A name nobody bears is
// taken as a file, whose history is empty.
func resolveProfile(ctx context.Context, st *OpenedStore, arg, dir string) (store.ProfileKey, error) {
	key := profileKey(arg, dir, st.Root)
	if _, ok := onDisk(arg, dir); ok || strings.Contains(arg, "#") {
		return key, nil
	}
	revs, err := st.Revisions(ctx, "")
	if err != nil {
		return key, &StoreError{Err: err}
	}
	named := map[store.ProfileKey]bool{}
	for _, r := range revs {
		if r.File == key.File {
			return key, nil
		}
		var views []struct {
			KeyPath string `json:"key_path"`
			Name    string `json:"name"`
		}
		if json.Unmarshal(r.Profiles, &views) != nil {
			continue
		}
		for _, v := range views {
			if v.Name == arg {
				named[store.ProfileKey{File: r.File, KeyPath: v.KeyPath}] = true
			}
		}
	}
	switch len(named) {
	case 0:
		return key, nil
	case 1:
		for k := range named {
			return k, nil
		}
	}
	var ids []string
	for k := range named {
		ids = append(ids, k.File+"#"+k.KeyPath)
	}
	sort.Strings(ids)
	return key, &RequestError{Err: &AmbiguousProfileError{Name: arg, Candidates: ids}}
}

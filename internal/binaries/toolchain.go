package binaries

import (
	"encoding/json"
	"fmt"
	"go/version"
	"os"
	"path/filepath"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/pgo"
	"github.com/gotune/gotune/internal/result"
)

// toolchainOf returns the Go release v builds with: its toolchain
// setting, or local (the go command's own).
func toolchainOf(v *result.Variant, local string) string {
	if tc := v.Settings.Get(axis.Toolchain); tc != "" {
		return tc
	}
	return local
}

// profileGoVersion returns the Go release that built the code a profile
// was collected from, as its provenance says: the provenance file next to
// it (gotune writes one next to every profile it collects or merges), or,
// for a default.pgo written by gotune pgo apply or refresh, the one kept
// with the same content in a profiles folder of the repository (looked
// for from the profile's folder up to the repository's top); "" when
// unknown.
func profileGoVersion(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	pv := pgo.ReadProvenance(path, data)
	if pv.GoVersion != "" || pv.Source != "file" {
		return pv.GoVersion
	}
	for d, i := filepath.Dir(path), 0; i < 8; d, i = filepath.Dir(d), i+1 {
		kept, _ := filepath.Glob(filepath.Join(d, "profiles", "*.provenance.json"))
		for _, k := range kept {
			b, err := os.ReadFile(k)
			var kv pgo.Provenance
			if err == nil && json.Unmarshal(b, &kv) == nil && kv.SHA256 == pv.SHA256 && kv.GoVersion != "" {
				return kv.GoVersion
			}
		}
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil || filepath.Dir(d) == d {
			break
		}
	}
	return ""
}

// crossVersion returns the warning for a variant built with toolchain
// built from a profile of code that another Go release built (another
// language version: go1.26 against go1.27), or "" when they match or the
// profile's release is unknown. The compiler's inlining and layout
// differ between releases, so such a profile's hot spots may not be the
// new build's.
func crossVersion(v *result.Variant, built string) (profileGo, warning string) {
	pg := profileGoVersion(v.Profile)
	if pg == "" || built == "" || !version.IsValid(pg) || !version.IsValid(built) || version.Lang(pg) == version.Lang(built) {
		return pg, ""
	}
	return pg, fmt.Sprintf("%s: its profile %s was collected from code built by %s, and it builds with %s: the hot spots may have moved; collect one under %s (pgo collect, or gotune pgo refresh with that toolchain) before trusting the result",
		v.Name, filepath.Base(v.Profile), pg, built, built)
}

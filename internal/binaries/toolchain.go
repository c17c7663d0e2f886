package binaries

import (
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
// was collected from, as its provenance file says (gotune writes one next
// to every profile it collects, merges or applies); "" when unknown.
func profileGoVersion(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return pgo.ReadProvenance(path, data).GoVersion
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

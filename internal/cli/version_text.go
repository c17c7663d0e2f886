package cli

import (
	"fmt"
	"runtime"
)

// versionText is what `gotune version` and `gotune --version` print:
// gotune's version and the Go toolchain and platform it was built for.
func versionText() string {
	return fmt.Sprintf("gotune %s (%s %s/%s)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

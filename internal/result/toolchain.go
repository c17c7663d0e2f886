package result

// Toolchain is one Go release a run's toolchain axis names, as checked
// before any build (GOTOOLCHAIN=go1.27.3 go version, which fetches it).
type Toolchain struct {
	Version   string  `json:"version"`              // as the axis names it, e.g. go1.27.3
	GoVersion string  `json:"go_version,omitempty"` // what go version printed
	Seconds   float64 `json:"seconds"`              // how long the check (and any download) took
	// Error says why its variants were skipped: it cannot be had, or it is
	// older than the module's go line; "" when it builds.
	Error string `json:"error,omitempty"`
}

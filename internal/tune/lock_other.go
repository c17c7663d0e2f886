//go:build !unix

package tune

// lockWorkDir does nothing where flock is not available.
func lockWorkDir(workDir, what string) (unlock func(), err error) { return func() {}, nil }

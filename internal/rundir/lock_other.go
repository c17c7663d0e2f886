//go:build !unix

package rundir

// lockWorkDir does nothing where flock is not available.
func Lock(workDir, what string) (unlock func(), err error) { return func() {}, nil }

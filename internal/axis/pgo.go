package axis

import "path/filepath"

// PGOMode is what a pgo value asks for.
type PGOMode int

const (
	// PGOModeAuto is the go command's default: the main package's
	// default.pgo when it has one, else no profile.
	PGOModeAuto PGOMode = iota
	// PGOModeOff builds without a profile.
	PGOModeOff
	// PGOModeCollect builds with a profile gotune collects first from the
	// baseline's benchmarks.
	PGOModeCollect
	// PGOModeFile builds with the profile at Path.
	PGOModeFile
)

// PGOSetting is a pgo value, typed: the keywords off, auto and collect,
// or a profile path.
type PGOSetting struct {
	Mode PGOMode
	Path string // the profile, as written, for PGOModeFile
}

// ParsePGOSetting returns the typed form of a normalised pgo value; the
// empty value is auto.
func ParsePGOSetting(v string) PGOSetting {
	switch v {
	case "", PGOAuto:
		return PGOSetting{Mode: PGOModeAuto}
	case PGOOff:
		return PGOSetting{Mode: PGOModeOff}
	case PGOCollect:
		return PGOSetting{Mode: PGOModeCollect}
	}
	return PGOSetting{Mode: PGOModeFile, Path: v}
}

// String returns the value as gotune.yaml and the flags write it.
func (p PGOSetting) String() string {
	switch p.Mode {
	case PGOModeOff:
		return PGOOff
	case PGOModeCollect:
		return PGOCollect
	case PGOModeFile:
		return p.Path
	}
	return PGOAuto
}

// Off, Auto, Collect and File report the mode.
func (p PGOSetting) Off() bool     { return p.Mode == PGOModeOff }
func (p PGOSetting) Auto() bool    { return p.Mode == PGOModeAuto }
func (p PGOSetting) Collect() bool { return p.Mode == PGOModeCollect }
func (p PGOSetting) File() bool    { return p.Mode == PGOModeFile }

// key is the comparison key of the setting as written: a path compares
// cleaned. Whether auto equals off depends on the target (a default.pgo or
// not), which the matrix knows.
func (p PGOSetting) key() string {
	if p.File() {
		return "file:" + filepath.Clean(p.Path)
	}
	return p.String()
}

package options

import (
	"os"
	"path/filepath"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/matrix"
)

// ForPGORefresh returns the options of a pgo refresh's run in the target
// directory dir: o's measuring flags and gotune.yaml's bench, benchtime,
// count and packages, with the matrix pgo {auto, candidate, off} and
// nothing else (off only when a profile is committed). An empty
// configuration file written into folder stands for gotune.yaml. A
// gotune.yaml that cannot be read is an InputError.
func (o Options) ForPGORefresh(dir, folder, candidate string, committed bool) (Options, error) {
	o.Dir = dir
	if cfgPath := filepath.Join(dir, "gotune.yaml"); fileExists(cfgPath) {
		cfg, err := matrix.Load(cfgPath)
		if err != nil {
			return o, InputError{err}
		}
		cfg.Axes, cfg.Variants = nil, nil
		o.Merge(cfg)
	}
	empty := filepath.Join(folder, "gotune.yaml")
	if err := os.WriteFile(empty, []byte("# gotune pgo refresh: the matrix is pgo {auto, the candidate, off} only\n"), 0o644); err != nil {
		return o, err
	}
	o.Config = empty
	values := []string{axis.PGOAuto, candidate}
	if committed {
		values = append(values, axis.PGOOff)
	}
	ax, err := axis.ParseFlagValues(axis.Values{axis.PGO.Name: values})
	if err != nil {
		return o, InputError{err}
	}
	o.Axes = ax
	return o, nil
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

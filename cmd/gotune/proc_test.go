package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// noproc is the test command "noproc NAME": it fails when a process whose
// executable is named NAME still runs (zombies aside), listing them. The
// service scripts check with it that no server is left behind.
func noproc() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: noproc NAME")
		os.Exit(2)
	}
	name := os.Args[1]
	ents, err := os.ReadDir("/proc")
	if err != nil {
		fmt.Fprintln(os.Stderr, "noproc:", err)
		os.Exit(2)
	}
	var found []string
	for _, e := range ents {
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil || filepath.Base(strings.TrimSuffix(exe, " (deleted)")) != name {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if i := strings.LastIndexByte(string(stat), ')'); err == nil && i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			continue
		}
		found = append(found, e.Name()+" "+exe)
	}
	if len(found) > 0 {
		fmt.Fprintf(os.Stderr, "processes named %s still run: %s\n", name, strings.Join(found, "; "))
		os.Exit(1)
	}
	fmt.Printf("no process named %s\n", name)
}

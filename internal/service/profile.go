package service

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/google/pprof/profile"

	"github.com/gotune/gotune/internal/atomicfile"
)

// DefaultProfileSeconds is how long CollectProfile profiles by default.
const DefaultProfileSeconds = 10

// maxProfileSeconds bounds a profile's duration, as MaxPhase bounds a
// trial's.
const maxProfileSeconds = int(MaxPhase / time.Second)

// maxProfileBytes bounds the profile body read.
const maxProfileBytes = 256 << 20

// ProfileOptions configure CollectProfile.
type ProfileOptions struct {
	// Seconds is the CPU profile's duration; 0 = DefaultProfileSeconds.
	Seconds int
	// Out is the file the profile is written to (atomically).
	Out string
}

// ProfileResult is what CollectProfile produced.
type ProfileResult struct {
	Path    string
	Bytes   int
	Samples int // CPU samples in the profile
	// Metrics are the trial's, measured while profiling (so slowed by it):
	// evidence of the load the profile saw, not a measurement to compare.
	Metrics Metrics
}

// CollectProfile runs a trial of the server binary and, while the measured
// load runs, fetches a CPU profile of Seconds from its pprof endpoint
// (Config.PprofPath on the {pprof} listener when the args use it, else on
// {addr}), checks that it parses and holds samples, and writes it to
// p.Out, for PGO. The measured load lasts at least Seconds+1s.
func CollectProfile(ctx context.Context, opts TrialOptions, p ProfileOptions) (ProfileResult, error) {
	if p.Seconds == 0 {
		p.Seconds = DefaultProfileSeconds
	}
	if p.Seconds < 0 || p.Seconds > maxProfileSeconds {
		return ProfileResult{}, fmt.Errorf("profile seconds %d: want 1 to %d", p.Seconds, maxProfileSeconds)
	}
	if p.Out == "" {
		return ProfileResult{}, errors.New("profile: no output file given")
	}
	m, data, err := runTrial(ctx, opts, &p)
	if err != nil {
		return ProfileResult{Metrics: m}, err
	}
	prof, err := profile.ParseData(data)
	if err != nil {
		return ProfileResult{Metrics: m}, fmt.Errorf("the CPU profile from the server does not parse: %v", err)
	}
	if len(prof.Sample) == 0 {
		return ProfileResult{Metrics: m}, fmt.Errorf("the CPU profile from the server has no samples: the server did no work under the load in %ds; check service.load.requests and the error rate", p.Seconds)
	}
	if err := atomicfile.Write(p.Out, data); err != nil {
		return ProfileResult{Metrics: m}, fmt.Errorf("writing the profile: %v", err)
	}
	return ProfileResult{Path: p.Out, Bytes: len(data), Samples: len(prof.Sample), Metrics: m}, nil
}

// FetchProfile fetches a CPU profile of seconds from the pprof endpoint
// path of the server at addr, which must be a loopback host:port. A 404
// says that the server has no pprof endpoint, and how to add one.
func FetchProfile(ctx context.Context, addr, path string, seconds int) ([]byte, error) {
	if err := CheckLoopback(addr); err != nil {
		return nil, err
	}
	if path == "" {
		path = DefaultPprofPath
	}
	if err := checkPath(path); err != nil {
		return nil, fmt.Errorf("service.pprof_path %q: %v", path, err)
	}
	if seconds <= 0 {
		return nil, fmt.Errorf("profile seconds %d: want a positive number", seconds)
	}
	url := "http://" + addr + path + "?seconds=" + strconv.Itoa(seconds)
	client := loopbackClient(time.Duration(seconds)*time.Second+30*time.Second, 1)
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching the CPU profile: %s", oneLine(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxProfileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetching the CPU profile: %s", oneLine(err.Error()))
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("GET %s answered 404: the server has no pprof endpoint there; add one: import _ \"net/http/pprof\", serve http.DefaultServeMux on a flag's address (go http.ListenAndServe(*pprofAddr, nil)), and pass that flag {pprof} in service.args (or set service.pprof_path)", path)
	case resp.StatusCode != http.StatusOK:
		msg := oneLine(string(body))
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		return nil, fmt.Errorf("GET %s answered %s: %s", path, resp.Status, msg)
	case len(body) > maxProfileBytes:
		return nil, fmt.Errorf("GET %s: the profile is over %d MiB", path, maxProfileBytes>>20)
	case !bytes.HasPrefix(body, []byte{0x1f, 0x8b}):
		return nil, fmt.Errorf("GET %s answered something other than a gzipped pprof profile; is service.pprof_path the CPU profile endpoint?", path)
	}
	return body, nil
}

package gotool

import (
	"context"
	"strings"
	"sync"
)

// Fake is a Runner for tests: it records every command and answers with the
// first matching rule.
type Fake struct {
	mu    sync.Mutex
	Rules []FakeRule
	Calls []Cmd
}

// FakeRule answers commands whose joined argv contains Match.
type FakeRule struct {
	Match string
	Func  func(c Cmd) (Result, error)
}

// On adds a rule answering commands that contain match.
func (f *Fake) On(match string, fn func(c Cmd) (Result, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Rules = append(f.Rules, FakeRule{Match: match, Func: fn})
}

// Run implements Runner.
func (f *Fake) Run(ctx context.Context, c Cmd) (Result, error) {
	f.mu.Lock()
	f.Calls = append(f.Calls, c)
	rules := append([]FakeRule(nil), f.Rules...)
	f.mu.Unlock()
	line := strings.Join(c.Args, " ")
	for _, r := range rules {
		if strings.Contains(line, r.Match) {
			return r.Func(c)
		}
	}
	return Result{}, &Error{Cmd: c, ExitCode: 1, Stderr: "fake: no rule for " + line}
}

package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/plan"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/stats"
)

// A budget gotune chose is stretched, after the first cycle, to the
// cycles a verdict needs (three variants: stats.VerdictCycles = 8), half a
// cycle more, at most plan.MaxDefaultBudget; one that already holds them
// is left alone.
func TestStretchBudget(t *testing.T) {
	if n := stats.VerdictCycles(stats.DefaultAlpha, 3); n != 8 {
		t.Fatalf("VerdictCycles(0.05, 3) = %d, want 8", n)
	}
	tests := []struct {
		name      string
		perCycle  time.Duration
		minBlocks int
		want      time.Duration
	}{
		{"too few cycles", 28 * time.Second, 6, 8*28*time.Second + 14*time.Second},
		{"rounded to the second", 28*time.Second + 300*time.Millisecond, 6, 241 * time.Second}, // 8.5 × 28.3 s = 240.55 s
		{"enough cycles", 2 * time.Second, 6, 2 * time.Minute},
		{"capped", 100 * time.Second, 6, plan.MaxDefaultBudget},
		{"--count above", 28 * time.Second, 12, 12*28*time.Second + 14*time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log strings.Builder
			run := &result.Run{Options: options.Options{Budget: 2 * time.Minute}}
			j := &job{p: &plan.Plan{Options: options.Options{Budget: 2 * time.Minute, MinBlocks: tt.minBlocks}}, run: run, d: Deps{Log: &log}}
			l := &looker{j: j, stage: "grid", arms: []string{"a", "b", "c"}, budget: 2 * time.Minute, alpha: stats.DefaultAlpha}
			l.stretchBudget(tt.perCycle)
			if l.budget != tt.want || run.Options.Budget != tt.want {
				t.Errorf("budget %s, the run's %s, want %s", l.budget, run.Options.Budget, tt.want)
			}
			if stretched := tt.want != 2*time.Minute; stretched != strings.Contains(log.String(), "measuring for up to "+tt.want.Round(time.Second).String()) {
				t.Errorf("log %q", log.String())
			}
		})
	}
}

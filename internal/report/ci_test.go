package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// actionlintVersion is the actionlint the CI files are checked with.
const actionlintVersion = "v1.7.12"

// repoRoot is the repository's root, from this package's directory.
const repoRoot = "../.."

// docWorkflows returns the workflows docs/ci.md shows: every ```yaml
// block whose first line names its file under docs/workflows/, with the
// block's text.
func docWorkflows(t *testing.T) map[string]string {
	t.Helper()
	md, err := os.ReadFile(filepath.Join(repoRoot, "docs", "ci.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	block := regexp.MustCompile("(?ms)^```yaml\n(# (docs/workflows/[a-z0-9-]+\\.yml)[:\n].*?)^```$")
	for _, m := range block.FindAllStringSubmatch(string(md), -1) {
		out[m[2]] = m[1]
	}
	return out
}

// TestCIDocsShowTheWorkflowFiles checks that every workflow under
// docs/workflows/ is shown in docs/ci.md as it is, so that the files
// actionlint checks are the ones people copy.
func TestCIDocsShowTheWorkflowFiles(t *testing.T) {
	shown := docWorkflows(t)
	files, err := filepath.Glob(filepath.Join(repoRoot, "docs", "workflows", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows under docs/workflows: %v", err)
	}
	for _, f := range files {
		name := "docs/workflows/" + filepath.Base(f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text, ok := shown[name]
		switch {
		case !ok:
			t.Errorf("docs/ci.md does not show %s (a ```yaml block starting with '# %s')", name, name)
		case text != string(data):
			t.Errorf("docs/ci.md shows %s differently from the file: copy the file into the block", name)
		}
		delete(shown, name)
	}
	for name := range shown {
		t.Errorf("docs/ci.md shows %s, which is not a file", name)
	}
}

// actionAsWorkflow turns the composite action action.yml into a reusable
// workflow with the same inputs, outputs and steps, so that actionlint
// checks its expressions and shellcheck its scripts: actionlint lints
// workflows, not action metadata.
func actionAsWorkflow(t *testing.T, action []byte) []byte {
	t.Helper()
	var a struct {
		Inputs map[string]struct {
			Default  string `yaml:"default"`
			Required bool   `yaml:"required"`
		} `yaml:"inputs"`
		Outputs map[string]struct {
			Value string `yaml:"value"`
		} `yaml:"outputs"`
		Runs struct {
			Using string      `yaml:"using"`
			Steps []yaml.Node `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(action, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if a.Runs.Using != "composite" || len(a.Runs.Steps) == 0 {
		t.Fatalf("action.yml runs %q with %d steps, want a composite action", a.Runs.Using, len(a.Runs.Steps))
	}
	type input struct {
		Type     string `yaml:"type"`
		Required bool   `yaml:"required,omitempty"`
		Default  string `yaml:"default,omitempty"`
	}
	inputs := map[string]input{}
	for name, in := range a.Inputs {
		def := in.Default
		if strings.Contains(def, "${{") {
			def = "" // a workflow input's default cannot read contexts
		}
		inputs[name] = input{Type: "string", Required: in.Required, Default: def}
	}
	outputs := map[string]string{}
	for name, o := range a.Outputs {
		outputs[name] = o.Value
	}
	wf := map[string]any{
		"name": "action.yml as a workflow",
		"on":   map[string]any{"workflow_call": map[string]any{"inputs": inputs}},
		"jobs": map[string]any{"action": map[string]any{
			"runs-on": "ubuntu-latest",
			"outputs": outputs,
			"steps":   a.Runs.Steps,
		}},
	}
	out, err := yaml.Marshal(wf)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestActionlint checks action.yml and every workflow of docs/ci.md with
// actionlint (and shellcheck, when it is installed), in a scratch
// project laid out as a repository: the workflows under .github/workflows,
// action.yml at the root, so that actionlint also checks the inputs a
// workflow gives the local action (uses: ./). The action's steps are
// checked as a reusable workflow of their own.
func TestActionlint(t *testing.T) {
	if testing.Short() {
		t.Skip("builds actionlint " + actionlintVersion + "; skipped with -short")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	proj := t.TempDir()
	wfDir := filepath.Join(proj, ".github", "workflows")
	// .git marks the project's root for actionlint.
	for _, d := range []string{wfDir, filepath.Join(proj, ".git")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	action, err := os.ReadFile(filepath.Join(repoRoot, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(path string, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(proj, "action.yml"), action)
	write(filepath.Join(wfDir, "action-as-workflow.yml"), actionAsWorkflow(t, action))
	files, _ := filepath.Glob(filepath.Join(repoRoot, "docs", "workflows", "*.yml"))
	if len(files) == 0 {
		t.Fatal("no workflows under docs/workflows")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		write(filepath.Join(wfDir, filepath.Base(f)), data)
	}

	// Build actionlint once; a failure to fetch it is a skip, not a
	// failure of gotune's CI files.
	bin := filepath.Join(t.TempDir(), "actionlint")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, goCmd, "build", "-o", bin, "github.com/rhysd/actionlint/cmd/actionlint@"+actionlintVersion)
	build.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		// go build pkg@version is not allowed: install into a GOBIN.
		inst := exec.CommandContext(ctx, goCmd, "install", "github.com/rhysd/actionlint/cmd/actionlint@"+actionlintVersion)
		inst.Env = append(os.Environ(), "GOFLAGS=", "GOBIN="+filepath.Dir(bin))
		if out2, err := inst.CombinedOutput(); err != nil {
			t.Skipf("could not build actionlint %s (offline?): %v\n%s\n%s", actionlintVersion, err, out, out2)
		}
	}
	args := []string{"-no-color"}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		args = append(args, "-shellcheck="+sc)
		t.Logf("scripts checked with %s", sc)
	} else {
		args = append(args, "-shellcheck=")
		t.Logf("shellcheck is not installed (apt-get install shellcheck): the scripts were not checked, only the workflows")
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = proj
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	linted, _ := filepath.Glob(filepath.Join(wfDir, "*.yml"))
	names := make([]string, len(linted))
	for i, l := range linted {
		names[i] = filepath.Base(l)
	}
	slices.Sort(names)
	t.Logf("actionlint %s on action.yml and %s:\n%s", actionlintVersion, strings.Join(names, ", "), out.String())
	if err != nil || out.Len() > 0 {
		t.Errorf("actionlint found problems (exit %v): action-as-workflow.yml is action.yml's steps, the others are docs/workflows/:\n%s", err, out.String())
	}
}

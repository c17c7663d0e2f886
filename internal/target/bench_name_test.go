package target

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

func TestIsBenchmark(t *testing.T) {
	src := `package p
import "testing"
func BenchmarkA(b *testing.B) {}
func Benchmark(b *testing.B) {}
func Benchmark_x(b *testing.B) {}
func Benchmarking(b *testing.B) {}
func BenchmarkHelper(n int) {}
func BenchmarkTwo(a, b *testing.B) {}
func TestA(t *testing.T) {}
`
	f, err := parser.ParseFile(token.NewFileSet(), "p_test.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"BenchmarkA": true, "Benchmark": true, "Benchmark_x": true}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		if got := isBenchmark(fd); got != want[fd.Name.Name] {
			t.Errorf("isBenchmark(%s) = %v, want %v", fd.Name.Name, got, want[fd.Name.Name])
		}
	}
}

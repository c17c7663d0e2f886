package lib_test

import "testing"

func BenchmarkExternal(b *testing.B) {}

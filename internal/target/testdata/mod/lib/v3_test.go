//go:build amd64.v3

package lib

import "testing"

func BenchmarkOnlyV3(b *testing.B) {}

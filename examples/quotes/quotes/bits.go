package quotes

import (
	"iter"
	"math/bits"
)

// Bloom is a blocked bloom filter of strings: each key sets a few bits
// inside a single 64-bit word, so a query touches one cache line.
type Bloom struct {
	words []uint64
	mask  uint64 // len(words)-1; len(words) is a power of two.
}

// bloomProbes is the number of bits each key sets in its word.
const bloomProbes = 4

// NewBloom returns an empty filter sized for n keys at about bitsPerKey
// bits each, rounded up to a power-of-two number of words.
func NewBloom(n, bitsPerKey int) *Bloom {
	words := uint64(max(n*bitsPerKey, 64)+63) / 64
	size := uint64(1) << (64 - bits.LeadingZeros64(words-1)) // Next power of two.
	return &Bloom{words: make([]uint64, size), mask: size - 1}
}

// hashString is FNV-1a followed by a 64-bit finaliser for good high bits.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

// blockBits picks the bloomProbes bit positions of a key from the high bits
// of its hash; the low bits choose the word.
func blockBits(h uint64) uint64 {
	var m uint64
	for range bloomProbes {
		h = bits.RotateLeft64(h, 6)
		m |= 1 << (h & 63)
	}
	return m
}

// Add inserts s.
func (b *Bloom) Add(s string) {
	h := hashString(s)
	b.words[h&b.mask] |= blockBits(h)
}

// MayContain reports whether s may have been added; false is definite.
func (b *Bloom) MayContain(s string) bool {
	h := hashString(s)
	m := blockBits(h)
	return b.words[h&b.mask]&m == m
}

// IDSet is a fixed-capacity set of small non-negative integers, used to
// deduplicate and order the instruments of a batch request.
type IDSet []uint64

// NewIDSet returns an empty set that can hold 0 to n-1.
func NewIDSet(n int) IDSet { return make(IDSet, (n+63)/64) }

// Add inserts id and reports whether it was new.
func (s IDSet) Add(id int) bool {
	w, m := id>>6, uint64(1)<<(id&63)
	added := s[w]&m == 0
	s[w] |= m
	return added
}

// Len returns the number of members.
func (s IDSet) Len() int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}

// All yields the members in increasing order.
func (s IDSet) All() iter.Seq[int] {
	return func(yield func(int) bool) {
		for i, w := range s {
			for w != 0 {
				if !yield(i<<6 + bits.TrailingZeros64(w)) {
					return
				}
				w &= w - 1
			}
		}
	}
}

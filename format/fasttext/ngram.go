package fasttext

// eos is the word fastText's dictionary gives to the end of a line. It has
// no character n-grams, in the vocabulary or out of it.
const eos = "</s>"

// appendBuckets appends to dst the buckets of word's character n-grams as
// fastText's Dictionary::computeSubwords finds them, in its order: word is
// wrapped as "<word>", a character is a byte that is not a UTF-8
// continuation byte (10xxxxxx) followed by the continuation bytes after
// it, and every run of minn..maxn characters is an n-gram except a lone
// "<" or ">". An n-gram's bucket is its FNV-1a hash, with every byte
// sign-extended first as fastText hashes signed chars, modulo buckets.
// Repeats are kept (two n-grams in one bucket count twice, as in
// fastText). The end-of-line word "</s>" has none.
//
// For valid UTF-8 this is trainer.Ngrams hashed as trainer.Subwords
// hashes them; the two differ only in how invalid bytes group into
// characters.
func appendBuckets(dst []uint32, word string, minn, maxn int, buckets uint32) []uint32 {
	if word == eos || maxn <= 0 || buckets == 0 {
		return dst
	}
	size := len(word) + 2
	at := func(i int) byte {
		switch {
		case i == 0:
			return '<'
		case i == size-1:
			return '>'
		}
		return word[i-1]
	}
	for i := 0; i < size; i++ {
		if at(i)&0xC0 == 0x80 {
			continue
		}
		h := uint32(2166136261)
		j := i
		for n := 1; j < size && n <= maxn; n++ {
			h = (h ^ uint32(int32(int8(at(j))))) * 16777619
			j++
			for j < size && at(j)&0xC0 == 0x80 {
				h = (h ^ uint32(int32(int8(at(j))))) * 16777619
				j++
			}
			if n >= minn && !(n == 1 && (i == 0 || j == size)) {
				dst = append(dst, h%buckets)
			}
		}
	}
	return dst
}

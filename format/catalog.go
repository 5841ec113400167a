package format

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/vecdb/vecdb/internal/editdist"
)

// ErrNotInCatalog is returned by Lookup when no catalog entry has the name.
var ErrNotInCatalog = errors.New("not in the catalog")

// DefaultBaseURL is where gensim-data publishes its files, one release per
// entry: <DefaultBaseURL>/<name>/<name>.gz.
const DefaultBaseURL = "https://github.com/RaRe-Technologies/gensim-data/releases/download"

// CatalogEntry describes one pre-trained vector set that gensim's
// api.load(name) downloads.
type CatalogEntry struct {
	Name        string
	Description string
	URL         string // the .gz file; Fetcher.BaseURL overrides the host part
	Size        int64  // compressed bytes
	Vectors     int    // rows in the file
	Dim         int
	Format      Format // layout inside the .gz; NewReader sniffs it anyway
	MD5         string // hex md5 of the .gz file, as published
}

// catalog holds gensim-data's vector models. Sizes, row counts, dimensions
// and md5 checksums are the figures published in gensim-data's list.json
// ("file_size", "num_records", "parameters.dimension", "checksum"); every
// entry is a single part. The GloVe sets were repackaged by gensim-data with
// glove2word2vec, so they are word2vec text with an `N D` header.
var catalog = []CatalogEntry{
	entry("conceptnet-numberbatch-17-06-300", "ConceptNet Numberbatch 17.06: multilingual semantic vectors built from ConceptNet, word2vec, GloVe and OpenSubtitles 2016 by retrofitting.", 1225497562, 1917247, 300, Word2VecText, "fd642d457adcd0ea94da0cd21b150847"),
	entry("fasttext-wiki-news-subwords-300", "1 million fastText word vectors trained with subword information on Wikipedia 2017, UMBC webbase corpus and statmt.org news (16B tokens).", 1005007116, 999999, 300, FastText, "de2bb3a20c46ce65c9c131e1ad9a77af"),
	entry("glove-twitter-100", "GloVe vectors from 2B tweets, 27B tokens, 1.2M vocab, uncased.", 405932991, 1193514, 100, Word2VecText, "b04f7bed38756d64cf55b58ce7e97b15"),
	entry("glove-twitter-200", "GloVe vectors from 2B tweets, 27B tokens, 1.2M vocab, uncased.", 795373100, 1193514, 200, Word2VecText, "e52e8392d1860b95d5308a525817d8f9"),
	entry("glove-twitter-25", "GloVe vectors from 2B tweets, 27B tokens, 1.2M vocab, uncased.", 109885004, 1193514, 25, Word2VecText, "50db0211d7e7a2dcd362c6b774762793"),
	entry("glove-twitter-50", "GloVe vectors from 2B tweets, 27B tokens, 1.2M vocab, uncased.", 209216938, 1193514, 50, Word2VecText, "c168f18641f8c8a00fe30984c4799b2b"),
	entry("glove-wiki-gigaword-100", "GloVe vectors from Wikipedia 2014 + Gigaword 5 (6B tokens, 400K vocab, uncased).", 134300434, 400000, 100, Word2VecText, "40ec481866001177b8cd4cb0df92924f"),
	entry("glove-wiki-gigaword-200", "GloVe vectors from Wikipedia 2014 + Gigaword 5 (6B tokens, 400K vocab, uncased).", 264336934, 400000, 200, Word2VecText, "59652db361b7a87ee73834a6c391dfc1"),
	entry("glove-wiki-gigaword-300", "GloVe vectors from Wikipedia 2014 + Gigaword 5 (6B tokens, 400K vocab, uncased).", 394362229, 400000, 300, Word2VecText, "29e9329ac2241937d55b852e8284e89b"),
	entry("glove-wiki-gigaword-50", "GloVe vectors from Wikipedia 2014 + Gigaword 5 (6B tokens, 400K vocab, uncased).", 69182535, 400000, 50, Word2VecText, "c289bc5d7f2f02c6dc9f2f9b67641813"),
	entry("word2vec-google-news-300", "word2vec vectors for 3 million words and phrases trained on part of the Google News dataset (about 100 billion words).", 1743563840, 3000000, 300, Word2VecBinary, "a5e5354d40acb95f9ec66d5977d140ef"),
	entry("word2vec-ruscorpora-300", "word2vec skip-gram vectors for lemmatised, PoS-tagged words of the Russian National Corpus (about 250M words).", 208427381, 184973, 300, Word2VecBinary, "9bdebdc8ae6d17d20839dd9b5af10bc4"),
}

func entry(name, desc string, size int64, n, dim int, f Format, md5 string) CatalogEntry {
	return CatalogEntry{
		Name: name, Description: desc, URL: DefaultBaseURL + "/" + name + "/" + name + ".gz",
		Size: size, Vectors: n, Dim: dim, Format: f, MD5: md5,
	}
}

// Names returns the catalog's entry names in sorted order.
func Names() []string {
	names := make([]string, len(catalog))
	for i, e := range catalog {
		names[i] = e.Name
	}
	sort.Strings(names)
	return names
}

// Lookup returns the entry called name (case-insensitive). An unknown name is
// an error wrapping ErrNotInCatalog that suggests the closest names.
func Lookup(name string) (CatalogEntry, error) {
	want := strings.ToLower(strings.TrimSpace(name))
	for _, e := range catalog {
		if e.Name == want {
			return e, nil
		}
	}
	if s := suggest(want); len(s) > 0 {
		return CatalogEntry{}, fmt.Errorf("%q is %w; did you mean %s?", name, ErrNotInCatalog, strings.Join(s, " or "))
	}
	return CatalogEntry{}, fmt.Errorf("%q is %w (known: %s)", name, ErrNotInCatalog, strings.Join(Names(), ", "))
}

// suggest returns up to three quoted names closest to name by edit distance
// among those near enough or containing it, all at the best distance.
func suggest(name string) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, n := range Names() {
		d := editdist.Distance(name, n, len(name)+len(n)) // never above the bound: the exact distance
		if d <= max(2, len(n)/4) || (len(name) >= 4 && strings.Contains(n, name)) {
			cs = append(cs, cand{n, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	var out []string
	for i := 0; i < len(cs) && i < 3 && cs[i].d == cs[0].d; i++ {
		out = append(out, fmt.Sprintf("%q", cs[i].name))
	}
	return out
}

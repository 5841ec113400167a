package format

import (
	"errors"
	"sort"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	e, err := Lookup("glove-wiki-gigaword-50")
	if err != nil {
		t.Fatal(err)
	}
	want := CatalogEntry{
		Name:        "glove-wiki-gigaword-50",
		Description: e.Description,
		URL:         "https://github.com/RaRe-Technologies/gensim-data/releases/download/glove-wiki-gigaword-50/glove-wiki-gigaword-50.gz",
		Size:        69182535, Vectors: 400000, Dim: 50, Format: Word2VecText,
		MD5: "c289bc5d7f2f02c6dc9f2f9b67641813",
	}
	if e != want {
		t.Fatalf("entry = %+v\nwant %+v", e, want)
	}
	if e, err := Lookup(" Word2Vec-Google-News-300 "); err != nil || e.Format != Word2VecBinary || e.Vectors != 3000000 {
		t.Fatalf("google news = %+v, %v", e, err)
	}
}

func TestLookupUnknown(t *testing.T) {
	tests := []struct{ name, want string }{
		{"glove-wiki-gigaword-5", `"glove-wiki-gigaword-5" is not in the catalog; did you mean "glove-wiki-gigaword-50"`},
		{"glove-twiter-25", `"glove-twiter-25" is not in the catalog; did you mean "glove-twitter-25"`},
		{"fasttext", `"fasttext" is not in the catalog; did you mean "fasttext-wiki-news-subwords-300"?`},
		{"bert", `"bert" is not in the catalog (known: conceptnet-numberbatch-17-06-300, `},
	}
	for _, tt := range tests {
		_, err := Lookup(tt.name)
		if !errors.Is(err, ErrNotInCatalog) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Lookup(%q) = %v\nwant prefix %s", tt.name, err, tt.want)
		}
	}
}

func TestNames(t *testing.T) {
	names := Names()
	if len(names) != 12 || !sort.StringsAreSorted(names) {
		t.Fatalf("names = %v", names)
	}
	for _, n := range names {
		e, err := Lookup(n)
		if err != nil || len(e.MD5) != 32 || e.Size <= 0 || e.Vectors <= 0 || e.Dim <= 0 || !strings.HasSuffix(e.URL, "/"+n+"/"+n+".gz") {
			t.Errorf("%s: %+v %v", n, e, err)
		}
	}
}

// Package demo builds the bundled demo database that vecdb opens when it is
// run without a file: a "words" collection trained by vecdb itself on two
// public-domain English texts shipped inside the binary (see data/README.md),
// and "words_ngrams", trained with subwords on one of them, which answers
// for words it never saw (SELECT NEAREST 5 TO 'presidentially' FROM
// words_ngrams) from their character n-grams.
//
// # Lifecycle
//
// The database lives in os.UserCacheDir()/vecdb/demo-v<Version>.vdb. Ensure
// builds it on first use (about ten seconds, single-threaded so that it is
// the same everywhere; words_ngrams adds about a fifth) into a
// temporary file that is renamed into place only when complete, so an
// interrupted build leaves nothing half-made behind.
package demo

import (
	"bufio"
	"compress/gzip"
	"context"
	"embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/trainer"
)

// Version names the recipe; bump it when the demo's contents change so that
// old caches are not reused.
const Version = 3

//go:embed data/factbook.txt.gz data/speeches.txt.gz
var texts embed.FS

var files = []string{"data/factbook.txt.gz", "data/speeches.txt.gz"}

// Path returns where the demo database lives.
func Path() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("demo database: no user cache directory: %w", err)
	}
	return filepath.Join(dir, "vecdb", fmt.Sprintf("demo-v%d.vdb", Version)), nil
}

// Ensure returns the demo database's path, building it first when it does
// not exist yet. Progress goes to the context's db.WithProgress callback.
func Ensure(ctx context.Context) (string, error) {
	p, err := Path()
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", fmt.Errorf("demo database: %w", err)
	}
	tmp := fmt.Sprintf("%s.building-%d", p, os.Getpid())
	defer os.Remove(tmp)
	if err := Build(ctx, tmp); err != nil {
		return "", fmt.Errorf("build demo database: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return "", fmt.Errorf("demo database: %w", err)
	}
	return p, nil
}

// Config returns the training settings of the demo's words collection.
func Config() trainer.Config {
	cfg := trainer.DefaultConfig()
	cfg.Dim = 50
	cfg.Epochs = 5
	cfg.MinCount = 5
	cfg.Threads = 1 // deterministic: the README's transcript is reproducible
	cfg.Seed = 1
	// Read in order, as before stripes were the default, so that demo
	// files already built and the README's transcript stay true.
	cfg.Stripes = 1
	return cfg
}

// SubwordCollection is the demo collection trained with subwords.
const SubwordCollection = "words_ngrams"

// SubwordConfig returns the training settings of the demo's words_ngrams
// collection (on SubwordSource): subwords with n-grams of 3 to 5
// characters, dim 32, so that it costs about a fifth of words. Its
// learning rate stays word2vec's 0.025, the subword default when the demo
// was made, so that demo files already built and the README's transcript
// stay true.
func SubwordConfig() trainer.Config {
	cfg := Config()
	cfg.Dim = 32
	cfg.Subwords = true
	cfg.MaxN = 5
	cfg.Alpha = trainer.DefaultAlphaSG
	return cfg
}

// Build trains the demo collections into a new database at path.
func Build(ctx context.Context, path string) error {
	d, err := db.Open(path, &db.Options{NoSync: true})
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Train(ctx, "words", Source(), db.TrainOptions{Config: Config(),
		Watch: [][2]string{{"king", "queen"}, {"paris", "france"}}}); err != nil {
		return err
	}
	if _, err := d.Train(ctx, SubwordCollection, SubwordSource(), db.TrainOptions{Config: SubwordConfig()}); err != nil {
		return err
	}
	return d.Close()
}

// Source returns the demo texts as training sequences of at most 10,000
// tokens each.
func Source() trainer.Source {
	return sourceOf("demo texts: CIA World Factbook + US presidential speeches (public domain)", files...)
}

// SubwordSource returns the text the subwords collection is trained on:
// the presidential speeches, a third of the demo's words, so that the
// collection adds a few seconds to the build.
func SubwordSource() trainer.Source {
	return sourceOf("demo text: US presidential speeches (public domain)", files[1])
}

func sourceOf(name string, names ...string) trainer.Source {
	return namedSource{trainer.FuncSource(func(yield func([]string) bool) {
		for _, n := range names {
			if !yieldFile(n, yield) {
				return
			}
		}
	}), name}
}

type namedSource struct {
	trainer.Source
	name string
}

func (s namedSource) String() string { return s.name }

func yieldFile(name string, yield func([]string) bool) bool {
	f, err := texts.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return false
	}
	sc := bufio.NewScanner(io.Reader(zr))
	sc.Buffer(make([]byte, 1<<16), 1<<16)
	sc.Split(bufio.ScanWords)
	seq := make([]string, 0, trainer.MaxSequenceLength)
	for sc.Scan() {
		seq = append(seq, strings.Clone(sc.Text()))
		if len(seq) == trainer.MaxSequenceLength {
			if !yield(seq) {
				return false
			}
			seq = make([]string, 0, trainer.MaxSequenceLength)
		}
	}
	if len(seq) > 0 {
		return yield(seq)
	}
	return true
}

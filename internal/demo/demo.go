// Package demo builds the bundled demo database that vecdb opens when it is
// run without a file: a "words" collection trained by vecdb itself on two
// public-domain English texts shipped inside the binary (see data/README.md).
//
// # Lifecycle
//
// The database lives in os.UserCacheDir()/vecdb/demo-v<Version>.vdb. Ensure
// builds it on first use (about ten seconds, single-threaded so that it is the same everywhere) into a
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
const Version = 1

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
	return d.Close()
}

// Source returns the demo texts as training sequences of at most 10,000
// tokens each.
func Source() trainer.Source {
	return namedSource{trainer.FuncSource(func(yield func([]string) bool) {
		for _, name := range files {
			if !yieldFile(name, yield) {
				return
			}
		}
	})}
}

type namedSource struct{ trainer.Source }

func (namedSource) String() string {
	return "demo texts: CIA World Factbook + US presidential speeches (public domain)"
}

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

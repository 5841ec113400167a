package db

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vecdb/vecdb/trainer"
)

// ErrSandbox is returned when a file named by a statement or an API call
// lies outside Options.Sandbox: a ".." that climbs out, an absolute path
// elsewhere, or a symlink that points out. The error's text names the path
// and the sandbox.
var ErrSandbox = errors.New("path is outside the sandbox")

type sandboxError struct {
	path, box, why string
}

func (e *sandboxError) Error() string {
	s := fmt.Sprintf("path '%s' is outside the sandbox %s", e.path, e.box)
	if e.why != "" {
		s += " (" + e.why + ")"
	}
	return s
}

func (e *sandboxError) Is(target error) bool { return target == ErrSandbox }

// ResolvePath returns the path at which d should open p, a file that a
// statement or API call names; write says whether it is to be created or
// overwritten. Without Options.Sandbox it returns p cleaned (relative
// paths stay relative to the working directory). With a sandbox, relative
// paths are taken inside the sandbox directory and absolute ones must lie
// inside it; the longest existing prefix of the path has its symlinks
// resolved, and the result must still lie inside the sandbox (a file or
// directory symlink that points out is refused, one that stays inside is
// followed). A path whose last existing part is a dangling symlink is
// refused too, since creating the file would follow it. The returned path
// is absolute and symlink-free as far as it exists. Errors match
// ErrSandbox. The check is made when ResolvePath runs: a sandbox directory
// that other users can change under it is not protected.
func (d *DB) ResolvePath(p string, write bool) (string, error) {
	if p == "" {
		return "", fmt.Errorf("%w: empty file name", ErrInvalid)
	}
	box := d.opts.Sandbox
	if box == "" {
		return filepath.Clean(p), nil
	}
	abs, err := filepath.Abs(box)
	if err != nil {
		return "", fmt.Errorf("sandbox %s: %w", box, err)
	}
	root, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("sandbox %s: %w", box, err)
	}
	refuse := func(why string) (string, error) { return "", &sandboxError{path: p, box: box, why: why} }
	full := p
	if !filepath.IsAbs(full) {
		full = filepath.Join(root, full)
	} else if full = filepath.Clean(full); !within(root, full) && within(abs, full) {
		// An absolute path spelt through the sandbox's unresolved name.
		rel, _ := filepath.Rel(abs, full)
		full = filepath.Join(root, rel)
	}
	if !within(root, full) {
		return refuse("")
	}
	// Resolve the symlinks of the longest existing prefix.
	dir, rest := full, ""
	for {
		r, err := filepath.EvalSymlinks(dir)
		if err == nil {
			full = filepath.Join(r, rest)
			break
		}
		if _, lerr := os.Lstat(dir); lerr == nil && write {
			// It exists but does not resolve: a dangling symlink, which a
			// create would follow wherever it points.
			return refuse("a dangling symlink")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return refuse("")
		}
		rest = filepath.Join(filepath.Base(dir), rest)
		dir = parent
	}
	if !within(root, full) {
		return refuse("through a symlink")
	}
	if write && full == root {
		return "", fmt.Errorf("%w: cannot write to the sandbox directory itself", ErrInvalid)
	}
	return full, nil
}

// within reports whether the clean absolute path p is root or lies under it.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// TrainFile is Train on a text file of sequences (one per line, tokens
// separated by white space; .gz read transparently), with the path checked
// against Options.Sandbox first.
func (d *DB) TrainFile(ctx context.Context, name, path string, opts TrainOptions) (*TrainResult, error) {
	// Check the path now for a clear error; every pass opens it again
	// through the sandbox.
	if _, err := d.ResolvePath(path, false); err != nil {
		return nil, fmt.Errorf("train %s: %w", name, err)
	}
	if d.isParquet(path) {
		return nil, invalidf("train %s: %s is a Parquet file, which TRAIN reads as an event log: name its columns with WITH (sequence_by = ..., item = ...)", name, path)
	}
	return d.Train(ctx, name, trainer.FileSourceWith(d.openRead, path), opts)
}

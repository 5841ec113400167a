package db

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
)

var tmpSeq atomic.Uint64 // makes temporary output names unique within the process

// Files that statements name are opened here, and only here, so that the
// sandbox and the database's own file are guarded in one place:
//
//   - Under Options.Sandbox every open goes through an os.Root of the
//     sandbox directory, which resolves each component without following a
//     symlink out of it, on the descriptor it opened: a symlink swapped in
//     between ResolvePath's check and the open cannot lead outside.
//   - Output is written to a temporary file created exclusively beside the
//     target and renamed over it when complete, so a failed or cancelled
//     write leaves the old file, and a planted name cannot redirect it.
//   - No output may land on the open database file, whatever the spelling
//     (symlinks, "..", a hard link): the target is compared by device and
//     inode with the file opened at Open.

// errOwnFile is the error for an output path that is the database itself.
func errOwnFile(p string) error {
	return fmt.Errorf("%w: '%s' is the open database file; writing it would destroy the database", ErrInvalid, p)
}

// isSelf reports whether fi is the database file.
func (d *DB) isSelf(fi os.FileInfo) bool {
	return d.self != nil && fi != nil && os.SameFile(fi, d.self)
}

// sandboxRoot opens the sandbox directory as an os.Root and returns it with
// the directory's resolved path.
func (d *DB) sandboxRoot() (*os.Root, string, error) {
	abs, err := filepath.Abs(d.opts.Sandbox)
	if err != nil {
		return nil, "", fmt.Errorf("sandbox %s: %w", d.opts.Sandbox, err)
	}
	dir, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, "", fmt.Errorf("sandbox %s: %w", d.opts.Sandbox, err)
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, "", fmt.Errorf("sandbox %s: %w", d.opts.Sandbox, err)
	}
	return r, dir, nil
}

// inRoot resolves p for the sandbox and returns the root with p's name
// relative to it. The caller closes the root.
func (d *DB) inRoot(p string, write bool) (*os.Root, string, error) {
	full, err := d.ResolvePath(p, write)
	if err != nil {
		return nil, "", err
	}
	r, dir, err := d.sandboxRoot()
	if err != nil {
		return nil, "", err
	}
	rel, err := filepath.Rel(dir, full)
	if err != nil || !filepath.IsLocal(rel) && rel != "." {
		r.Close()
		return nil, "", &sandboxError{path: p, box: d.opts.Sandbox}
	}
	return r, rel, nil
}

// rootErr turns an os.Root refusal (a path that escapes, found at open
// time) into an ErrSandbox error; system errors such as "no such file"
// pass through.
func (d *DB) rootErr(p string, err error) error {
	var pe *fs.PathError
	var errno syscall.Errno
	if errors.As(err, &pe) && !errors.As(pe.Err, &errno) {
		return &sandboxError{path: p, box: d.opts.Sandbox, why: "it changed while being opened"}
	}
	return err
}

// openRead opens the file p, named by a statement or an API call, for
// reading, confined to the sandbox when there is one. Only regular files
// (and directories, which callers refuse with their own message) are
// opened: a FIFO, a socket or a device (/dev/zero, a terminal) is refused
// with ErrInvalid. The open itself does not block (O_NONBLOCK where the
// system has it) and the check is made on the opened descriptor, so a FIFO
// without a writer cannot hold a statement past its timeout, and no
// endless device can feed one.
func (d *DB) openRead(p string) (*os.File, error) {
	if p == "" {
		return nil, fmt.Errorf("%w: empty file name", ErrInvalid)
	}
	const flags = os.O_RDONLY | openNonblock
	var f *os.File
	var err error
	if d.opts.Sandbox == "" {
		f, err = os.OpenFile(filepath.Clean(p), flags, 0)
	} else {
		var r *os.Root
		var rel string
		if r, rel, err = d.inRoot(p, false); err != nil {
			return nil, err
		}
		defer r.Close()
		if f, err = r.OpenFile(rel, flags, 0); err != nil {
			err = d.rootErr(p, asOpened(p, err))
		}
	}
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkReadable(p, fi.Mode())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// checkReadable refuses what is not a regular file or a directory.
func checkReadable(p string, m fs.FileMode) error {
	var kind string
	switch {
	case m.IsRegular(), m.IsDir():
		return nil
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	default:
		kind = "of type " + m.Type().String()
	}
	return fmt.Errorf("%w: '%s' is not a regular file: it is %s", ErrInvalid, p, kind)
}

// asOpened names p, as the statement spelt it, in a system error from
// opening it through a root ("openat" and the root-relative name are
// details of the mechanism).
func asOpened(p string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		var errno syscall.Errno
		if errors.As(pe.Err, &errno) {
			return &fs.PathError{Op: "open", Path: p, Err: pe.Err}
		}
	}
	return err
}

// OpenInput opens the file at p for reading under the same rules as the
// files that statements read (Options.Sandbox). The shell's .read uses it.
// The caller closes the file.
func (d *DB) OpenInput(p string) (*os.File, error) { return d.openRead(p) }

// OpenOutput opens the file at p for writing in place, truncating it, under
// the same rules as the files that statements write: inside
// Options.Sandbox when set, and never the open database file itself. The
// shell's .output uses it. The caller closes the file.
func (d *DB) OpenOutput(p string) (*os.File, error) {
	if p == "" {
		return nil, fmt.Errorf("%w: empty file name", ErrInvalid)
	}
	var f *os.File
	var err error
	if d.opts.Sandbox == "" {
		f, err = os.OpenFile(filepath.Clean(p), os.O_WRONLY|os.O_CREATE, 0o644)
	} else {
		var r *os.Root
		var rel string
		if r, rel, err = d.inRoot(p, true); err != nil {
			return nil, err
		}
		defer r.Close()
		if f, err = r.OpenFile(rel, os.O_WRONLY|os.O_CREATE, 0o644); err != nil {
			err = d.rootErr(p, asOpened(p, err))
		}
	}
	if err != nil {
		return nil, err
	}
	// Compare the descriptor actually opened, then truncate: nothing was
	// cut before the check.
	fi, err := f.Stat()
	if err == nil && d.isSelf(fi) {
		err = errOwnFile(p)
	} else if err == nil && !fi.Mode().IsRegular() && fi.Mode()&fs.ModeDevice == 0 {
		err = fmt.Errorf("%w: '%s' is not a regular file", ErrInvalid, p)
	}
	if err == nil && fi.Mode().IsRegular() {
		err = f.Truncate(0)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// outFile is an output being written to a temporary file beside its
// target; Commit renames it into place, Abort removes it.
type outFile struct {
	*os.File
	d      *DB
	root   *os.Root // nil without a sandbox
	tmp    string   // temporary name (relative to root when set)
	target string   // final name (relative to root when set)
	name   string   // as the statement spelt it, for errors
	done   bool
}

// createOutput starts writing the file p, named by a statement or an API
// call (EXPORT, PROJECT … TO): confined to the sandbox, never the database
// file, written to an exclusively created temporary file and renamed into
// place by Commit.
func (d *DB) createOutput(p string) (*outFile, error) {
	if p == "" {
		return nil, fmt.Errorf("%w: empty file name", ErrInvalid)
	}
	o := &outFile{d: d, name: p}
	if d.opts.Sandbox == "" {
		o.target = filepath.Clean(p)
	} else {
		r, rel, err := d.inRoot(p, true)
		if err != nil {
			return nil, err
		}
		o.root, o.target = r, rel
	}
	if err := o.checkTarget(); err != nil {
		o.closeRoot()
		return nil, err
	}
	dir, base := filepath.Split(o.target)
	for i := 0; ; i++ {
		o.tmp = filepath.Join(dir, fmt.Sprintf(".%s.%d-%d.tmp", base, os.Getpid(), tmpSeq.Add(1)))
		var f *os.File
		var err error
		flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
		if o.root != nil {
			f, err = o.root.OpenFile(o.tmp, flags, 0o644)
		} else {
			f, err = os.OpenFile(o.tmp, flags, 0o644)
		}
		if err == nil {
			o.File = f
			return o, nil
		}
		if !errors.Is(err, fs.ErrExist) || i == 100 {
			o.closeRoot()
			if o.root != nil {
				err = d.rootErr(p, asOpened(p, err))
			}
			return nil, err
		}
	}
}

// checkTarget refuses a target that is the database file or a directory.
func (o *outFile) checkTarget() error {
	stat, lstat := os.Stat, os.Lstat
	if o.root != nil {
		stat, lstat = o.root.Stat, o.root.Lstat
	}
	for _, st := range []func(string) (os.FileInfo, error){stat, lstat} {
		fi, err := st(o.target)
		if err != nil {
			continue // not there (yet), or a link that leads nowhere: nothing to destroy
		}
		if o.d.isSelf(fi) {
			return errOwnFile(o.name)
		}
		if fi.IsDir() {
			return fmt.Errorf("%w: '%s' is a directory", ErrInvalid, o.name)
		}
	}
	return nil
}

func (o *outFile) closeRoot() {
	if o.root != nil {
		o.root.Close()
	}
}

// Commit flushes the temporary file to disk and renames it over the target.
func (o *outFile) Commit() error {
	if o.done {
		return nil
	}
	o.done = true
	defer o.closeRoot()
	err := o.File.Sync()
	if cerr := o.File.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = o.checkTarget() // once more, just before the rename
	}
	if err == nil {
		if o.root != nil {
			err = o.root.Rename(o.tmp, o.target)
		} else {
			err = os.Rename(o.tmp, o.target)
		}
	}
	if err != nil {
		o.remove()
		return err
	}
	return nil
}

// Abort closes and removes the temporary file; the target is untouched.
func (o *outFile) Abort() {
	if o.done {
		return
	}
	o.done = true
	o.File.Close()
	o.remove()
	o.closeRoot()
}

func (o *outFile) remove() {
	if o.root != nil {
		o.root.Remove(o.tmp)
	} else {
		os.Remove(o.tmp)
	}
}

// writeOutput writes the file p with fn (see createOutput): all of it or,
// on an error from fn, nothing.
func (d *DB) writeOutput(p string, fn func(w io.Writer) error) error {
	o, err := d.createOutput(p)
	if err != nil {
		return err
	}
	if err := fn(o); err != nil {
		o.Abort()
		return err
	}
	return o.Commit()
}

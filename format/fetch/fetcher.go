package fetch

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vecdb/vecdb/format"
)

// ErrChecksum is returned by Fetcher.Fetch when a file's md5 differs from the
// published one; the bad file has been deleted.
var ErrChecksum = errors.New("checksum mismatch")

// ErrOffline is returned by Fetcher.Fetch when the server cannot be reached;
// the message says where to put a manually downloaded copy.
var ErrOffline = errors.New("no network")

// DefaultCacheDir returns os.UserCacheDir()/vecdb/catalog.
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "vecdb", "catalog"), nil
}

// Fetcher downloads catalog entries into a cache directory. The zero value
// uses DefaultCacheDir, http.DefaultClient and format.DefaultBaseURL. A Fetcher is
// safe for concurrent use on different entries; two fetches of the same
// entry at once race on its .part file.
type Fetcher struct {
	// CacheDir holds <name>.gz files and <name>.gz.part downloads in progress.
	CacheDir string
	// Client makes the requests; nil means http.DefaultClient.
	Client *http.Client
	// BaseURL replaces format.DefaultBaseURL (tests point it at an httptest.Server);
	// the file is fetched from <BaseURL>/<name>/<name>.gz.
	BaseURL string
	// Progress, when set, is called as bytes arrive with the bytes on disk
	// and the expected total (-1 if unknown).
	Progress func(done, total int64)
}

// Path returns where Fetch stores e: <CacheDir>/<name>.gz.
func (f *Fetcher) Path(e format.CatalogEntry) (string, error) {
	dir := f.CacheDir
	if dir == "" {
		var err error
		if dir, err = DefaultCacheDir(); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, e.Name+".gz"), nil
}

func (f *Fetcher) url(e format.CatalogEntry) string {
	if f.BaseURL != "" {
		return strings.TrimRight(f.BaseURL, "/") + "/" + e.Name + "/" + e.Name + ".gz"
	}
	if e.URL != "" {
		return e.URL
	}
	return format.DefaultBaseURL + "/" + e.Name + "/" + e.Name + ".gz"
}

// Fetch makes sure <CacheDir>/<name>.gz holds e's verified file and returns
// its path. A present file whose md5 matches (checked once, then remembered
// in a <name>.gz.md5 note beside it) is not downloaded again. Otherwise it
// downloads into <name>.gz.part, resuming a partial .part with an HTTP Range
// request (and starting over when the server ignores the Range), checks the
// md5 and renames the file into place. A checksum mismatch deletes the file
// and returns ErrChecksum; a cancelled ctx keeps the .part for the next try;
// an unreachable server returns ErrOffline with the URL and the path where a
// manually downloaded copy will be picked up. Open the result with Open: it
// decompresses while it reads.
func (f *Fetcher) Fetch(ctx context.Context, e format.CatalogEntry) (path string, err error) {
	final, err := f.Path(e)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return "", err
	}
	if fi, err := os.Stat(final); err == nil {
		if f.noted(final, e, fi.Size()) {
			return final, nil
		}
		if err := f.verify(final, e); err != nil {
			return "", err
		}
		f.note(final, e)
		return final, nil
	}
	part := final + ".part"
	if err := f.download(ctx, e, part, final); err != nil {
		return "", err
	}
	if err := f.verify(part, e); err != nil {
		return "", err
	}
	if err := os.Rename(part, final); err != nil {
		return "", err
	}
	f.note(final, e)
	return final, nil
}

// download fetches e into part, resuming from its current size.
func (f *Fetcher) download(ctx context.Context, e format.CatalogEntry, part, final string) error {
	url := f.url(e)
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	var have int64
	if fi, err := os.Stat(part); err == nil {
		have = fi.Size()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("download %s: %w", e.Name, ctx.Err())
		}
		if isNetworkDown(err) {
			return fmt.Errorf("cannot download %s (%v): %w? Download %s yourself and put it at %s", e.Name, err, ErrOffline, url, final)
		}
		return fmt.Errorf("download %s: %w", e.Name, err)
	}
	defer resp.Body.Close()
	flags := os.O_WRONLY | os.O_CREATE
	total := int64(-1)
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0 && rangeStart(resp) == have:
		flags |= os.O_APPEND
		if resp.ContentLength >= 0 {
			total = have + resp.ContentLength
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && have > 0:
		// The .part is already complete (or longer than the file); let the
		// checksum decide.
		return nil
	case resp.StatusCode == http.StatusOK:
		flags |= os.O_TRUNC // a fresh download, or a server ignoring Range
		have = 0
		total = resp.ContentLength
	default:
		return fmt.Errorf("download %s from %s: HTTP %s", e.Name, url, resp.Status)
	}
	if total < 0 && e.Size > 0 {
		total = e.Size
	}
	out, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return err
	}
	w := io.Writer(out)
	if f.Progress != nil {
		w = &progressWriter{w: out, done: have, total: total, fn: f.Progress}
		f.Progress(have, total)
	}
	_, err = io.Copy(w, resp.Body)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("download %s: %w (the partial file %s is kept for resuming)", e.Name, ctx.Err(), part)
		}
		return fmt.Errorf("download %s: %w (the partial file %s is kept for resuming)", e.Name, err, part)
	}
	return nil
}

// rangeStart returns the first byte of a 206 response's Content-Range, or -1.
func rangeStart(resp *http.Response) int64 {
	cr := resp.Header.Get("Content-Range") // "bytes 100-199/200"
	rest, ok := strings.CutPrefix(cr, "bytes ")
	if !ok {
		return -1
	}
	start, _, ok := strings.Cut(rest, "-")
	if !ok {
		return -1
	}
	n, err := strconv.ParseInt(start, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// verify checks path's md5 against e's and deletes the file on mismatch.
func (f *Fetcher) verify(path string, e format.CatalogEntry) error {
	if e.MD5 == "" {
		return nil
	}
	sum, err := md5File(path)
	if err != nil {
		return err
	}
	if !strings.EqualFold(sum, e.MD5) {
		os.Remove(path)
		return fmt.Errorf("%s: %w: md5 is %s, want %s; the file was deleted, fetch again", path, ErrChecksum, sum, e.MD5)
	}
	return nil
}

// noted reports whether the .md5 note beside path records e's checksum for a
// file of this size.
func (f *Fetcher) noted(path string, e format.CatalogEntry, size int64) bool {
	b, err := os.ReadFile(path + ".md5")
	return err == nil && e.MD5 != "" && strings.TrimSpace(string(b)) == e.MD5+" "+strconv.FormatInt(size, 10)
}

// note records that path was verified against e.
func (f *Fetcher) note(path string, e format.CatalogEntry) {
	if fi, err := os.Stat(path); err == nil && e.MD5 != "" {
		os.WriteFile(path+".md5", []byte(e.MD5+" "+strconv.FormatInt(fi.Size(), 10)+"\n"), 0o644)
	}
}

func md5File(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	h := md5.New()
	if _, err := io.Copy(h, fh); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// isNetworkDown reports whether err is a failure to reach the server at all:
// a refused or failed dial, or an unresolvable host.
func isNetworkDown(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// progressWriter reports bytes written to a Progress callback.
type progressWriter struct {
	w           io.Writer
	done, total int64
	fn          func(done, total int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	p.fn(p.done, p.total)
	return n, err
}

// OpenEntry fetches e (see Fetch) and opens it with Open, so rows stream
// while the file decompresses. The caller must Close the format.Reader.
func (f *Fetcher) OpenEntry(ctx context.Context, e format.CatalogEntry, opts format.ReaderOptions) (*format.Reader, error) {
	path, err := f.Fetch(ctx, e)
	if err != nil {
		return nil, err
	}
	return format.Open(path, opts)
}

package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vecdb/vecdb/format"
)

// fetchFixture is a small gzipped word2vec text file and a catalog entry for
// it with the right md5.
func fetchFixture(t *testing.T) ([]byte, format.CatalogEntry) {
	rows := fixtureRows(rand.New(rand.NewSource(2)), 300, 5)
	var b bytes.Buffer
	w, _ := format.NewWriter(&b, format.Word2VecText, len(rows), 5)
	for _, r := range rows {
		w.Write(r.key, r.vec)
	}
	w.Close()
	data := gz(t, b.Bytes())
	sum := md5.Sum(data)
	e, err := format.Lookup("glove-wiki-gigaword-50")
	if err != nil {
		t.Fatal(err)
	}
	e.MD5 = hex.EncodeToString(sum[:])
	e.Size = int64(len(data))
	return data, e
}

// fileServer serves data at /<name>/<name>.gz, honouring Range requests
// unless ignoreRange; it counts requests and records Range headers.
type fileServer struct {
	*httptest.Server
	requests    atomic.Int32
	mu          sync.Mutex
	ranges      []string
	ignoreRange bool
}

func newFileServer(t *testing.T, name string, data []byte, ignoreRange bool) *fileServer {
	fs := &fileServer{ignoreRange: ignoreRange}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.requests.Add(1)
		fs.mu.Lock()
		fs.ranges = append(fs.ranges, r.Header.Get("Range"))
		fs.mu.Unlock()
		if r.URL.Path != "/"+name+"/"+name+".gz" {
			http.NotFound(w, r)
			return
		}
		if fs.ignoreRange {
			w.Header().Set("Content-Length", fmt.Sprint(len(data)))
			w.Write(data)
			return
		}
		http.ServeContent(w, r, name+".gz", time.Time{}, bytes.NewReader(data))
	}))
	t.Cleanup(fs.Close)
	return fs
}

func checkFetched(t *testing.T, path string, data []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("fetched file differs: %d bytes, want %d", len(got), len(data))
	}
	if _, err := os.Stat(path + ".part"); !os.IsNotExist(err) {
		t.Fatalf(".part left behind: %v", err)
	}
	r, err := format.Open(path, format.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Format() != format.Word2VecText || r.Declared() != 300 || r.Dim() != 5 {
		t.Fatalf("opened %v declared %d dim %d", r.Format(), r.Declared(), r.Dim())
	}
}

func TestFetch(t *testing.T) {
	data, e := fetchFixture(t)
	srv := newFileServer(t, e.Name, data, false)
	var last, total int64
	f := &Fetcher{CacheDir: t.TempDir(), BaseURL: srv.URL, Progress: func(d, n int64) { last, total = d, n }}
	path, err := f.Fetch(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(f.CacheDir, e.Name+".gz") {
		t.Fatalf("path = %s", path)
	}
	checkFetched(t, path, data)
	if last != int64(len(data)) || total != int64(len(data)) {
		t.Fatalf("progress %d/%d, want %d", last, total, len(data))
	}
	// A verified file is not downloaded again.
	if _, err := f.Fetch(context.Background(), e); err != nil || srv.requests.Load() != 1 {
		t.Fatalf("second fetch: %v, %d requests", err, srv.requests.Load())
	}
}

func TestFetchResume(t *testing.T) {
	data, e := fetchFixture(t)
	for _, ignore := range []bool{false, true} {
		t.Run(fmt.Sprintf("ignoreRange=%v", ignore), func(t *testing.T) {
			srv := newFileServer(t, e.Name, data, ignore)
			f := &Fetcher{CacheDir: t.TempDir(), BaseURL: srv.URL}
			half := len(data) / 2
			part := filepath.Join(f.CacheDir, e.Name+".gz.part")
			if err := os.WriteFile(part, data[:half], 0o644); err != nil {
				t.Fatal(err)
			}
			path, err := f.Fetch(context.Background(), e)
			if err != nil {
				t.Fatal(err)
			}
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if want := fmt.Sprintf("bytes=%d-", half); srv.ranges[0] != want {
				t.Fatalf("Range = %q, want %q", srv.ranges[0], want)
			}
			checkFetched(t, path, data)
		})
	}
}

func TestFetchCompletePart(t *testing.T) {
	data, e := fetchFixture(t)
	srv := newFileServer(t, e.Name, data, false)
	f := &Fetcher{CacheDir: t.TempDir(), BaseURL: srv.URL}
	os.WriteFile(filepath.Join(f.CacheDir, e.Name+".gz.part"), data, 0o644)
	path, err := f.Fetch(context.Background(), e) // the server answers 416
	if err != nil {
		t.Fatal(err)
	}
	checkFetched(t, path, data)
}

func TestFetchChecksumMismatch(t *testing.T) {
	data, e := fetchFixture(t)
	srv := newFileServer(t, e.Name, data, false)
	f := &Fetcher{CacheDir: t.TempDir(), BaseURL: srv.URL}
	e.MD5 = "00000000000000000000000000000000"
	_, err := f.Fetch(context.Background(), e)
	if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), "want 00000000000000000000000000000000; the file was deleted") {
		t.Fatalf("err = %v", err)
	}
	left, _ := os.ReadDir(f.CacheDir)
	if len(left) != 0 {
		t.Fatalf("files left: %v", left)
	}
	// A manually placed file is checked too.
	final := filepath.Join(f.CacheDir, e.Name+".gz")
	os.WriteFile(final, []byte("not it"), 0o644)
	if _, err := f.Fetch(context.Background(), e); !errors.Is(err, ErrChecksum) {
		t.Fatalf("manual file: err = %v", err)
	}
	if _, err := os.Stat(final); !os.IsNotExist(err) {
		t.Fatal("bad manual file not deleted")
	}
}

func TestFetchManualFile(t *testing.T) {
	data, e := fetchFixture(t)
	f := &Fetcher{CacheDir: t.TempDir(), BaseURL: "http://127.0.0.1:1"}
	final := filepath.Join(f.CacheDir, e.Name+".gz")
	os.WriteFile(final, data, 0o644)
	path, err := f.Fetch(context.Background(), e)
	if err != nil || path != final {
		t.Fatalf("Fetch = %s, %v", path, err)
	}
	if _, err := os.Stat(final + ".md5"); err != nil {
		t.Fatalf("no verification note: %v", err)
	}
}

func TestFetchCancel(t *testing.T) {
	data, e := fetchFixture(t)
	half := len(data) / 2
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		w.Write(data[:half])
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &Fetcher{CacheDir: t.TempDir(), BaseURL: srv.URL, Progress: func(d, _ int64) {
		if d >= int64(half) {
			cancel()
		}
	}}
	_, err := f.Fetch(ctx, e)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	part := filepath.Join(f.CacheDir, e.Name+".gz.part")
	if fi, err := os.Stat(part); err != nil || fi.Size() != int64(half) {
		t.Fatalf(".part after cancel: %v %v", fi, err)
	}
	// The next fetch resumes.
	srv2 := newFileServer(t, e.Name, data, false)
	f.BaseURL, f.Progress = srv2.URL, nil
	path, err := f.Fetch(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	checkFetched(t, path, data)
}

func TestFetchOffline(t *testing.T) {
	_, e := fetchFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	f := &Fetcher{CacheDir: t.TempDir(), BaseURL: "http://" + addr}
	_, err = f.Fetch(context.Background(), e)
	url := "http://" + addr + "/glove-wiki-gigaword-50/glove-wiki-gigaword-50.gz"
	prefix := "cannot download glove-wiki-gigaword-50 ("
	suffix := "): no network? Download " + url + " yourself and put it at " + filepath.Join(f.CacheDir, "glove-wiki-gigaword-50.gz")
	if !errors.Is(err, ErrOffline) || !strings.HasPrefix(err.Error(), prefix) || !strings.HasSuffix(err.Error(), suffix) {
		t.Fatalf("err = %v\nwant %s…%s", err, prefix, suffix)
	}
}

func TestFetchHTTPError(t *testing.T) {
	_, e := fetchFixture(t)
	srv := newFileServer(t, "other", nil, false)
	f := &Fetcher{CacheDir: t.TempDir(), BaseURL: srv.URL}
	_, err := f.Fetch(context.Background(), e)
	if err == nil || !strings.Contains(err.Error(), "HTTP 404 Not Found") {
		t.Fatalf("err = %v", err)
	}
}

func TestDefaultCacheDir(t *testing.T) {
	dir, err := DefaultCacheDir()
	if err != nil {
		t.Skip(err)
	}
	if !strings.HasSuffix(dir, filepath.Join("vecdb", "catalog")) {
		t.Fatalf("dir = %s", dir)
	}
}

func TestOpenEntry(t *testing.T) {
	data, e := fetchFixture(t)
	srv := newFileServer(t, e.Name, data, false)
	f := &Fetcher{CacheDir: t.TempDir(), BaseURL: srv.URL}
	r, err := f.OpenEntry(context.Background(), e, format.ReaderOptions{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for ; ; n++ {
		if _, _, err := r.Next(); err != nil {
			break
		}
	}
	if n != 10 || r.Dim() != 5 {
		t.Fatalf("%d rows, dim %d", n, r.Dim())
	}
}

type fixtureRow struct {
	key string
	vec []float32
}

func fixtureRows(rng *rand.Rand, n, dim int) []fixtureRow {
	rows := make([]fixtureRow, n)
	for i := range rows {
		rows[i].key = fmt.Sprintf("w%d", i)
		rows[i].vec = make([]float32, dim)
		for j := range rows[i].vec {
			rows[i].vec[j] = float32(rng.NormFloat64())
		}
	}
	return rows
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

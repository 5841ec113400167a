package format

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// FetchImport is the package that registers the catalog downloader.
const FetchImport = "github.com/vecdb/vecdb/format/fetch"

// ErrNoDownloader is returned by Download when no downloader is registered:
// package format links no network code; a program that wants IMPORT … FROM
// CATALOG imports FetchImport for its side effect, as the vecdb binary does.
var ErrNoDownloader = errors.New("no catalog downloader is registered")

// Downloader fetches a catalog entry into a local file (verified against
// its published checksum) and returns the file's path; progress, when not
// nil, is called as bytes arrive with the bytes so far and the total (-1
// when unknown).
type Downloader func(ctx context.Context, e CatalogEntry, progress func(done, total int64)) (string, error)

var downloader struct {
	sync.RWMutex
	fn Downloader
}

// RegisterDownloader makes fn the downloader that Download uses; nil
// removes it. Package fetch registers its Fetcher in its init function.
func RegisterDownloader(fn Downloader) {
	downloader.Lock()
	downloader.fn = fn
	downloader.Unlock()
}

// Download fetches e with the registered downloader.
func Download(ctx context.Context, e CatalogEntry, progress func(done, total int64)) (string, error) {
	downloader.RLock()
	fn := downloader.fn
	downloader.RUnlock()
	if fn == nil {
		return "", fmt.Errorf("%w: add import _ %q to the program to download %s", ErrNoDownloader, FetchImport, e.Name)
	}
	return fn(ctx, e, progress)
}

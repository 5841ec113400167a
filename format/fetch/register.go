package fetch

import (
	"context"

	"github.com/vecdb/vecdb/format"
)

// Importing this package registers a Fetcher with the default cache
// directory and HTTP client as format's catalog downloader, which IMPORT …
// FROM CATALOG uses.
func init() {
	format.RegisterDownloader(func(ctx context.Context, e format.CatalogEntry, progress func(done, total int64)) (string, error) {
		f := &Fetcher{Progress: progress}
		return f.Fetch(ctx, e)
	})
}

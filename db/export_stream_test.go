package db

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/vecdb/vecdb/query"
)

// EXPORT streams the collection's rows from the file: it does not load the
// collection's read view (every vector in memory), which a large export
// could not afford. A missing collection is still named, with a hint.
func TestExportDoesNotLoadView(t *testing.T) {
	d := MustOpen(t)
	if _, err := d.Exec(bg, "CREATE COLLECTION w (DIM 2); INSERT INTO w (key, vector) VALUES ('a', [1, 2]), ('b', [3, 4])"); err != nil {
		t.Fatal(err)
	}
	if d.cachedView("w") != nil {
		t.Fatal("view loaded before EXPORT")
	}
	p := filepath.Join(t.TempDir(), "w.txt")
	res, err := d.Exec(bg, "EXPORT w TO "+query.QuoteString(p))
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.RowsAffected != 2 {
		t.Errorf("exported %d rows, want 2", res.Stats.RowsAffected)
	}
	if d.cachedView("w") != nil {
		t.Error("EXPORT loaded the collection's read view")
	}
	_, err = d.Exec(bg, "EXPORT ww TO "+query.QuoteString(p))
	var qe *query.Error
	if !errors.Is(err, ErrCollectionNotFound) || !errors.As(err, &qe) || qe.Pos.Offset != len("EXPORT ") {
		t.Errorf("EXPORT of a missing collection: %v, want ErrCollectionNotFound at its name", err)
	}
}

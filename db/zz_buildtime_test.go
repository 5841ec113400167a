package db

import (
	"os"
	"strconv"
	"testing"
	"time"
)

func TestZZBuildPhases(t *testing.T) {
	path := os.Getenv("VECDB_BUILD_VECS")
	if path == "" {
		t.Skip()
	}
	d := MustOpen(t)
	no := false
	if _, err := d.Import(bg, "c", path, ImportOptions{Index: &no}); err != nil {
		t.Fatal(err)
	}
	th, _ := strconv.Atoi(os.Getenv("VECDB_BUILD_THREADS"))
	c, _ := d.Collection("c")
	v, _ := c.View()
	t0 := time.Now()
	_, err := buildIndex(bg, v, DefaultIndexConfig(), th)
	if err != nil {
		t.Fatal(err)
	}
	tb := time.Since(t0)
	t0 = time.Now()
	if err := d.CreateIndex(bg, "c", DefaultIndexConfig(), th); err != nil {
		t.Fatal(err)
	}
	t.Logf("threads %d: buildIndex %.2fs, CreateIndex (build+write) %.2fs", th, tb.Seconds(), time.Since(t0).Seconds())
}

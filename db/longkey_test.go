package db

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/format"
	"github.com/vecdb/vecdb/trainer"
)

// TestKeyLimitsAgree: the storage, reader and trainer limits are one
// number, so every token a model learns can be stored and every key a
// reader returns can be inserted.
func TestKeyLimitsAgree(t *testing.T) {
	limits := []int{MaxKeyBytes, format.MaxKeyBytes, trainer.MaxTokenBytes}
	for _, n := range limits {
		if n != limits[0] {
			t.Fatalf("MaxKeyBytes, format.MaxKeyBytes, trainer.MaxTokenBytes = %v", limits)
		}
	}
}

// wantKeyTooLong checks that err is the key-length error: it matches
// ErrKeyTooLong and ErrInvalid, and its text quotes the key's start, gives
// its length and the limit, and stays short.
func wantKeyTooLong(t *testing.T, what string, err error, n int, also ...string) {
	t.Helper()
	if !errors.Is(err, ErrKeyTooLong) || !errors.Is(err, ErrInvalid) {
		t.Errorf("%s: err = %v, want ErrKeyTooLong", what, err)
		return
	}
	msg := err.Error()
	for _, s := range append([]string{`"kkkkkkkkkkkk`, fmt.Sprintf("is %d bytes", n), "4096-byte key limit"}, also...) {
		if !strings.Contains(msg, s) {
			t.Errorf("%s: message %q lacks %q", what, msg, s)
		}
	}
	if len(msg) > 400 {
		t.Errorf("%s: message is %d bytes long", what, len(msg))
	}
}

// TestLongKeysRefused: a key over MaxKeyBytes is refused with a clear
// error (not bbolt's "key too large") by the Go API, by INSERT and
// UPSERT, by IMPORT (naming the file and line), by IMPORT METADATA and by
// CREATE COLLECTION … FROM SEQUENCES, and the collection is unchanged.
func TestLongKeysRefused(t *testing.T) {
	d := MustOpen(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ok := write("ok.vec", "a 1 0\nb 0 1\nc 1 1\n")
	if _, err := d.Exec(bg, "IMPORT INTO c FROM '"+ok+"'"); err != nil {
		t.Fatal(err)
	}
	c, err := d.Collection("c")
	if err != nil {
		t.Fatal(err)
	}
	atLimit := strings.Repeat("k", MaxKeyBytes)
	if err := c.Insert(bg, Row{Key: atLimit, Vector: []float32{1, 2}}); err != nil {
		t.Fatalf("a key of exactly MaxKeyBytes: %v", err)
	}
	if _, err := c.Delete(bg, atLimit); err != nil {
		t.Fatal(err)
	}

	k40 := strings.Repeat("k", 40000)
	wantKeyTooLong(t, "Insert", c.Insert(bg, Row{Key: "fine", Vector: []float32{1, 1}}, Row{Key: k40, Vector: []float32{1, 2}}), 40000)
	_, err = c.Upsert(bg, Row{Key: k40, Vector: []float32{1, 2}})
	wantKeyTooLong(t, "Upsert", err, 40000)
	_, err = d.Exec(bg, "INSERT INTO c (key, vector) VALUES ('"+k40+"', [1, 2])")
	wantKeyTooLong(t, "INSERT", err, 40000)
	_, err = d.Exec(bg, "UPSERT INTO c (key, vector) VALUES ('"+k40+"', [1, 2])")
	wantKeyTooLong(t, "UPSERT", err, 40000)

	// A 10 MB key on line 3 of an IMPORT file, in each text layout.
	big := strings.Repeat("k", 10<<20)
	for _, f := range []struct{ name, text, format string }{
		{"big.vec", "a 1 0\nb 0 1\n" + big + " 1 1\nd 0 0\n", ""},
		{"big.csv", "a,1,0\nb,0,1\n" + big + ",1,1\n", " FORMAT CSV"},
		{"big.jsonl", `{"key":"a","vector":[1,0]}` + "\n" + `{"key":"b","vector":[0,1]}` + "\n" + `{"key":"` + big + `","vector":[1,1]}` + "\n", " FORMAT JSONL"},
	} {
		p := write(f.name, f.text)
		_, err = d.Exec(bg, "IMPORT INTO c FROM '"+p+"'"+f.format)
		wantKeyTooLong(t, "IMPORT "+f.name, err, 10<<20, f.name, "line 3: ")
		_, err = d.Import(bg, "c", p, ImportOptions{})
		wantKeyTooLong(t, "Import "+f.name, err, 10<<20, f.name, "line 3: ")
	}

	// Metadata keys.
	p := write("m.tsv", "key\tn\na\t1\nb\t2\n"+big+"\t3\n")
	_, err = d.Exec(bg, "IMPORT METADATA INTO c FROM '"+p+"'")
	wantKeyTooLong(t, "IMPORT METADATA", err, 10<<20, "m.tsv line 4")

	info, err := c.Info()
	if err != nil || info.Rows != 3 || len(info.Fields) != 0 {
		t.Fatalf("collection changed: %+v %v", info, err)
	}
	for _, k := range []string{"a", "b", "c"} {
		if _, err := c.Get(k); err != nil {
			t.Fatalf("row %s: %v", k, err)
		}
	}

	// User keys of CREATE COLLECTION … FROM SEQUENCES.
	k5 := strings.Repeat("k", 5000)
	p = write("s.txt", "alice\ta b\n"+k5+"\tc a\n")
	_, err = d.Exec(bg, "CREATE COLLECTION users FROM SEQUENCES OF c FROM '"+p+"'")
	wantKeyTooLong(t, "FROM SEQUENCES", err, 5000, "sequence 2")
	if _, err := d.Collection("users"); !errors.Is(err, ErrCollectionNotFound) {
		t.Fatalf("users collection after the failed CREATE: %v", err)
	}
	if rep, err := d.Check(bg, ""); err != nil || !rep.OK() {
		t.Fatalf("check: %v %v", rep, err)
	}
}

package trainer

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func evlogFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type keyedSeq struct {
	key   string
	items string
}

func evlogRead(t *testing.T, src Source) []keyedSeq {
	t.Helper()
	var out []keyedSeq
	for pass := 0; pass < 2; pass++ { // a second pass must give the same
		r, err := src.Open()
		if err != nil {
			t.Fatal(err)
		}
		var got []keyedSeq
		for {
			toks, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(toks))
			for i, tk := range toks {
				parts[i] = string(tk)
			}
			got = append(got, keyedSeq{r.(KeyedReader).Key(), strings.Join(parts, " ")})
		}
		r.Close()
		if pass == 1 && len(got) != len(out) {
			t.Fatalf("second pass gave %d sequences, first %d", len(got), len(out))
		}
		out = got
	}
	return out
}

func TestEventLogGroupsAndOrders(t *testing.T) {
	// CRLF, quoted fields with commas and quotes, numeric order that differs
	// from string order (9 < 10), ties kept in file order.
	text := "userId,movieId,rating,timestamp\r\n" +
		"1,\"Heat, 1995\",4.0,10\r\n" +
		"2,b,3.0,5\r\n" +
		"1,c,4.0,9\r\n" +
		"1,\"say \"\"hi\"\"\",1.0,100\r\n" +
		"2,a,2.0,5\r\n" +
		"3,z,2.0,1\r\n"
	src := EventLogSource(evlogFile(t, "r.csv", text), EventLogOptions{SequenceBy: "userId", OrderBy: "timestamp", Item: "movieId"})
	got := evlogRead(t, src)
	want := []keyedSeq{{"1", "c Heat, 1995 say \"hi\""}, {"2", "b a"}, {"3", "z"}}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("sequence %d = %q, want %q", i, got[i], want[i])
		}
	}
	if src.Rows() != 6 || src.Sequences() != 3 {
		t.Errorf("rows %d sequences %d", src.Rows(), src.Sequences())
	}
}

func TestEventLogTextOrderTSVNoHeader(t *testing.T) {
	text := "s1\t2024-01-02\tb\ns1\t2024-01-01\ta\ns2\tx\tq\n"
	no := false
	src := EventLogSource(evlogFile(t, "log.tsv", text), EventLogOptions{SequenceBy: "1", OrderBy: "2", Item: "3", Header: &no})
	got := evlogRead(t, src)
	if len(got) != 2 || got[0] != (keyedSeq{"s1", "a b"}) || got[1] != (keyedSeq{"s2", "q"}) {
		t.Fatalf("got %q", got)
	}
}

func TestEventLogFileOrderWithoutOrderBy(t *testing.T) {
	src := EventLogSource(evlogFile(t, "l.csv", "u,i\n1,c\n1,a\n1,b\n"), EventLogOptions{SequenceBy: "u", Item: "i"})
	if got := evlogRead(t, src); len(got) != 1 || got[0].items != "c a b" {
		t.Fatalf("got %q", got)
	}
}

func TestEventLogErrors(t *testing.T) {
	p := evlogFile(t, "r.csv", "userId,movieId,rating,timestamp\r\n1,2,3.0,4\r\n1,3\r\n")
	_, err := EventLogSource(p, EventLogOptions{SequenceBy: "userid", OrderBy: "timestmp", Item: "movieId"}).Open()
	if err == nil || !strings.Contains(err.Error(), `no column "timestmp"`) || !strings.Contains(err.Error(), `did you mean "timestamp"?`) {
		t.Errorf("bad column: %v", err)
	}
	_, err = EventLogSource(p, EventLogOptions{SequenceBy: "userId", OrderBy: "timestamp", Item: "movieId"}).Open()
	if err == nil || !strings.Contains(err.Error(), "line 3 has 2 fields") || !strings.Contains(err.Error(), `"timestamp" is missing`) {
		t.Errorf("missing column: %v", err)
	}
	_, err = EventLogSource(p, EventLogOptions{SequenceBy: "userId"}).Open()
	if err == nil {
		t.Error("no item column: no error")
	}
	q := evlogFile(t, "q.csv", "u,i\n1,\"open\n")
	if _, err := EventLogSource(q, EventLogOptions{SequenceBy: "u", Item: "i"}).Open(); err == nil || !strings.Contains(err.Error(), "line") {
		t.Errorf("bad quote: %v", err)
	}
}

func TestEventLogTrains(t *testing.T) {
	var b strings.Builder
	b.WriteString("user\titem\ttime\n")
	for u := 0; u < 40; u++ {
		for j, it := range []string{"a", "b", "c", "d"} {
			if u%2 == 1 {
				it = strings.ToUpper(it)
			}
			b.WriteString("u" + string(rune('0'+u%10)) + string(rune('a'+u/10)) + "\t" + it + "\t" + string(rune('0'+j)) + "\n")
		}
	}
	cfg := DefaultConfig()
	cfg.Dim, cfg.MinCount, cfg.Epochs = 8, 1, 1
	m, err := Train(t.Context(), EventLogSource(evlogFile(t, "l.tsv", b.String()), EventLogOptions{SequenceBy: "user", OrderBy: "time", Item: "item"}), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Len() != 8 || m.CorpusWords != 160 {
		t.Errorf("keys %d words %d", m.Len(), m.CorpusWords)
	}
}

func TestKeyedFileSource(t *testing.T) {
	p := evlogFile(t, "s.txt", "a b c\r\n\nalice\tx  y\nz\n")
	got := evlogRead(t, KeyedFileSource(p))
	want := []keyedSeq{{"1", "a b c"}, {"alice", "x y"}, {"4", "z"}}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %q, want %q", i, got[i], want[i])
		}
	}
}

package main

// The cold-start benchmark (items-bench cold): can an item with metadata
// but no events be recommended? The protocol:
//
//  1. Read an event log (one sequence per user, ordered by time) and an
//     item metadata file (MovieLens: movies.csv, genres "A|B|C").
//  2. Hold out 10% of the items (seeded, uniform over the distinct items
//     of the log): every event of a held-out ("cold") item is removed
//     from training; the model is trained on what remains.
//  3. Test cases: every event of a cold item that has at least one warm
//     event before it in its user's sequence; the history is the user's
//     warm items before it (the last -hist of them), the target the cold
//     item. At most -max-test cases (seeded sample).
//  4. The cold items get vectors by a method; each history asks for the
//     top 10 of the whole catalogue (warm and cold items, history
//     excluded; RECOMMEND's rule: cosine to the mean of the history's unit
//     vectors). HR@10 = share of cases whose target is in the top 10.
//     "cold HR@10" ranks the cold items only (a "new items" shelf:
//     RECOMMEND … WHERE cold_start = true); "cold share" is the share of the top
//     10 slots that cold items take.
//
// Methods: random (cold items at random unit vectors: what placement
// without metadata gives), mean (trainer.ColdStart: the mean of the warm
// items sharing each genre, the method vecdb ships), metaprod2vec (genre
// tokens trained with the items, each item's events followed by its
// genre tokens; a cold item's vector is the mean of its genre tokens'
// vectors), and mean-on-mp2v (the mean method on that jointly trained
// model).

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/internal/vec"
	"github.com/vecdb/vecdb/trainer"
)

type coldScore struct {
	Method    string  `json:"method"`
	HR        float64 `json:"hr10"`
	ColdHR    float64 `json:"cold_hr10"`
	ColdShare float64 `json:"cold_share"`
	WarmHR    float64 `json:"warm_hr10"` // last-item hold-out of warm sequences, same model
	N         int     `json:"n"`
	Cold      int     `json:"cold_items"`
	NoVector  int     `json:"cold_without_vector"`
	Seconds   float64 `json:"seconds"`
}

func readCSV(path string, delim rune) [][]string {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = delim
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	var out [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			log.Fatal(err)
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		out = append(out, rec)
	}
}

func coldCmd(args []string) {
	fs := flag.NewFlagSet("cold", flag.ExitOnError)
	ratings := fs.String("ratings", "", "MovieLens ratings.csv (userId,movieId,rating,timestamp)")
	seqPath := fs.String("seq", "", "a sequences file (one session per line) instead of -ratings")
	movies := fs.String("movies", "", "item metadata: MovieLens movies.csv, or a CSV/TSV file")
	metaCols := fs.String("meta-columns", "", "the metadata file's column names when it has no header (comma-separated)")
	keyCol := fs.String("key", "movieId", "metadata column holding the item keys")
	field := fs.String("field", "genres", "metadata column of the tokens ('|' separates several)")
	share := fs.Float64("cold", 0.1, "share of the items held out")
	maxTest := fs.Int("max-test", 2000, "at most this many test cases")
	hist := fs.Int("hist", 50, "history length (the last warm items before the target)")
	methods := fs.String("methods", "random,mean,vecdb,metaprod2vec,mean-on-mp2v", "methods")
	recency := fs.Float64("recency", 1, "RECOMMEND's recency weight")
	seed := fs.Int64("split-seed", 1, "seed of the hold-out and the sample")
	cfg := configFlags(fs)
	fs.Parse(args)
	cfg.MinCount = 1

	// Sequences per user by time (file order breaks ties).
	type ev struct {
		item string
		ts   string
		n    int
	}
	byUser := map[string][]ev{}
	var users []string
	var ratingRecs [][]string
	if *seqPath == "" {
		ratingRecs = readCSV(*ratings, ',')[1:]
	}
	for i, rec := range ratingRecs {
		if _, ok := byUser[rec[0]]; !ok {
			users = append(users, rec[0])
		}
		byUser[rec[0]] = append(byUser[rec[0]], ev{rec[1], rec[3], i})
	}
	var seqs [][]string
	itemSet := map[string]bool{}
	for _, u := range users {
		evs := byUser[u]
		sort.SliceStable(evs, func(i, j int) bool {
			if len(evs[i].ts) != len(evs[j].ts) {
				return len(evs[i].ts) < len(evs[j].ts)
			}
			return evs[i].ts < evs[j].ts
		})
		s := make([]string, len(evs))
		for i, e := range evs {
			s[i] = e.item
			itemSet[e.item] = true
		}
		seqs = append(seqs, s)
	}
	if *seqPath != "" {
		seqs = readSeqs(trainer.FileSource(*seqPath))
		for _, s := range seqs {
			for _, it := range s {
				itemSet[it] = true
			}
		}
	}
	items := make([]string, 0, len(itemSet))
	for it := range itemSet {
		items = append(items, it)
	}
	sort.Strings(items)
	rng := rand.New(rand.NewSource(*seed))
	rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	cold := map[string]bool{}
	for _, it := range items[:int(float64(len(items))**share)] {
		cold[it] = true
	}
	delim := '\t'
	if strings.HasSuffix(*movies, ".csv") {
		delim = ','
	}
	metaRecs := readCSV(*movies, delim)
	metaOpts := db.MetadataOptions{Key: *keyCol, ColdStart: []string{*field}}
	cols := metaRecs[0]
	if *metaCols != "" {
		cols = strings.Split(*metaCols, ",")
		metaOpts.Columns = cols
	} else {
		metaRecs = metaRecs[1:]
	}
	kc, fc := slices.Index(cols, *keyCol), slices.Index(cols, *field)
	if kc < 0 || fc < 0 {
		log.Fatalf("%s: no column %s or %s in %v", *movies, *keyCol, *field, cols)
	}
	genres := map[string][]string{}
	for _, rec := range metaRecs {
		if rec[fc] != "(no genres listed)" {
			genres[rec[kc]] = strings.Split(rec[fc], "|")
		}
	}

	// Training sequences (cold items removed) and test cases.
	var train [][]string
	var cases []testCase
	var warmCases []testCase
	for _, s := range seqs {
		var warm []string
		for _, it := range s {
			if !cold[it] {
				warm = append(warm, it)
				continue
			}
			if len(warm) > 0 {
				h := warm
				if len(h) > *hist {
					h = h[len(h)-*hist:]
				}
				cases = append(cases, testCase{it, append([]string(nil), h...)})
			}
		}
		if len(warm) > 0 {
			train = append(train, warm)
		}
		if len(warm) >= 2 {
			h := warm[:len(warm)-1]
			if len(h) > *hist {
				h = h[len(h)-*hist:]
			}
			warmCases = append(warmCases, testCase{warm[len(warm)-1], h})
		}
	}
	rng.Shuffle(len(cases), func(i, j int) { cases[i], cases[j] = cases[j], cases[i] })
	if len(cases) > *maxTest {
		cases = cases[:*maxTest]
	}
	var coldItems []string
	for _, it := range items {
		if cold[it] {
			coldItems = append(coldItems, it)
		}
	}
	sort.Strings(coldItems)
	log.Printf("%d sequences, %d items, %d cold, %d test cases (%d warm cases: the warm items' own check)", len(seqs), len(items), len(coldItems), len(cases), len(warmCases))

	ctx := context.Background()
	trainOn := func(seqs [][]string) *trainer.Model {
		m, err := trainer.Train(ctx, trainer.SliceSource(seqs), *cfg, trainer.Options{})
		if err != nil {
			log.Fatal(err)
		}
		return m
	}
	var plain, mp2v *trainer.Model
	for _, method := range strings.Split(*methods, ",") {
		start := time.Now()
		var m *trainer.Model
		switch method {
		case "vecdb":
			keys, vecs, isCold, skipped := throughVecdb(train, *movies, metaOpts, *cfg)
			sc := coldScore{Method: method, Cold: len(coldItems), NoVector: skipped}
			scoreCold(&sc, keys, vecs, isCold, cfg.Dim, cases, warmCases, *recency)
			sc.Seconds = time.Since(start).Seconds()
			b, _ := json.Marshal(sc)
			fmt.Println(string(b))
			continue
		case "random", "mean":
			if plain == nil {
				plain = trainOn(train)
			}
			m = plain
		case "metaprod2vec", "mean-on-mp2v":
			if mp2v == nil {
				var joint [][]string
				for _, s := range train {
					var j []string
					for _, it := range s {
						j = append(j, it)
						for _, g := range genres[it] {
							j = append(j, "genre:"+g)
						}
					}
					joint = append(joint, j)
				}
				mp2v = trainOn(joint)
			}
			m = mp2v
		default:
			log.Fatalf("unknown method %q", method)
		}
		// The catalogue: the warm items of the model, then the cold items.
		var keys []string
		var vecs []float32
		isCold := map[int]bool{}
		for i, k := range m.Keys {
			if strings.HasPrefix(k, "genre:") {
				continue
			}
			keys = append(keys, k)
			vecs = append(vecs, unit(m.Vector(i))...)
		}
		sc := coldScore{Method: method, Cold: len(coldItems)}
		cs := trainer.NewColdStart(m.Dim, 1)
		if method == "mean" || method == "mean-on-mp2v" {
			for i, k := range m.Keys {
				if !strings.HasPrefix(k, "genre:") {
					cs.AddWarm(m.Vector(i), [][]string{genres[k]})
				}
			}
		}
		for _, it := range coldItems {
			var v []float32
			switch method {
			case "random":
				v = make([]float32, m.Dim)
				for d := range v {
					v[d] = float32(rng.NormFloat64())
				}
			case "mean", "mean-on-mp2v":
				v, _ = cs.Vector([][]string{genres[it]})
			case "metaprod2vec":
				v = make([]float32, m.Dim)
				n := 0
				for _, g := range genres[it] {
					if j, ok := m.Index("genre:" + g); ok {
						vec.Axpy(1, unit(m.Vector(j)), v)
						n++
					}
				}
				if n == 0 {
					v = nil
				}
			}
			if v == nil || vec.Normalize(v) == 0 {
				sc.NoVector++
				continue
			}
			isCold[len(keys)] = true
			keys = append(keys, it)
			vecs = append(vecs, v...)
		}
		scoreCold(&sc, keys, vecs, isCold, m.Dim, cases, warmCases, *recency)
		sc.Seconds = time.Since(start).Seconds()
		b, _ := json.Marshal(sc)
		fmt.Println(string(b))
	}
}

// scoreCold fills sc's hit rates: keys and vecs (unit vectors) are the
// catalogue, isCold marks the cold items.
func scoreCold(sc *coldScore, keys []string, vecs []float32, isCold map[int]bool, dim int, cases, warmCases []testCase, recency float64) {
	{
		index := map[string]int{}
		for i, k := range keys {
			index[k] = i
		}
		cold := make([]bool, len(keys))
		for i := range cold {
			cold[i] = isCold[i]
		}
		hitRate := func(cases []testCase, coldOnly bool, share *float64) float64 {
			scores := make([]float32, len(keys))
			hits, slots, coldSlots := 0, 0, 0
			for _, tc := range cases {
				q := make([]float32, dim)
				ex := map[int]bool{}
				for i, h := range tc.hist {
					p := index[h]
					ex[p] = true
					vec.Axpy(float32(math.Exp(-recency*float64(len(tc.hist)-1-i))), vecs[p*dim:(p+1)*dim], q)
				}
				vec.DotBatch(q, vecs, scores)
				// The top 10 by score (ties: lower position first).
				var cand []int
				for i := range keys {
					if ex[i] || coldOnly && !cold[i] {
						continue
					}
					if len(cand) == 10 && scores[i] <= scores[cand[9]] {
						continue
					}
					j := len(cand)
					if j < 10 {
						cand = append(cand, i)
					} else {
						j = 9
					}
					for ; j > 0 && scores[cand[j-1]] < scores[i]; j-- {
						cand[j] = cand[j-1]
					}
					cand[j] = i
				}
				for _, c := range cand {
					slots++
					if cold[c] {
						coldSlots++
					}
					if keys[c] == tc.target {
						hits++
					}
				}
			}
			if share != nil {
				*share = float64(coldSlots) / math.Max(1, float64(slots))
			}
			return float64(hits) / math.Max(1, float64(len(cases)))
		}
		sc.N = len(cases)
		sc.HR = hitRate(cases, false, &sc.ColdShare)
		sc.ColdHR = hitRate(cases, true, nil)
		wc := warmCases
		if len(wc) > 500 {
			wc = wc[:500]
		}
		sc.WarmHR = hitRate(wc, false, nil)
	}
}

// throughVecdb trains a collection on train with vecdb, fills the cold
// items with IMPORT METADATA … WITH (cold_start = 'genres') (the Go call
// of it) and returns the catalogue as scoreCold takes it.
func throughVecdb(train [][]string, movies string, opts db.MetadataOptions, cfg trainer.Config) ([]string, []float32, map[int]bool, int) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "items-cold")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	d, err := db.Open(filepath.Join(dir, "c.vdb"), &db.Options{NoSync: true})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Train(ctx, "items", trainer.SliceSource(train), db.TrainOptions{Config: cfg}); err != nil {
		log.Fatal(err)
	}
	r, err := d.ImportMetadata(ctx, "items", movies, opts)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("vecdb: %s", r)
	c, _ := d.Collection("items")
	v, err := c.View()
	if err != nil {
		log.Fatal(err)
	}
	fi := v.FieldIndex(db.ColdField)
	var keys []string
	var vecs []float32
	isCold := map[int]bool{}
	for i := 0; i < v.Len(); i++ {
		keys = append(keys, v.Key(i))
		vecs = append(vecs, unit(v.Vector(i))...)
		m, err := v.Meta(i)
		if err != nil {
			log.Fatal(err)
		}
		if fi < len(m) && m[fi] == true {
			isCold[i] = true
		}
	}
	return keys, vecs, isCold, r.ColdSkipped
}

func unit(v []float32) []float32 {
	u := append([]float32(nil), v...)
	vec.Normalize(u)
	return u
}

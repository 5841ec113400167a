package db

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/trainer"
)

const factbook = "../trainer/testdata/factbook.txt.gz"

func smallConfig() trainer.Config {
	cfg := trainer.DefaultConfig()
	cfg.Dim = 24
	cfg.Epochs = 2
	cfg.MinCount = 5
	return cfg
}

func TestTrainWritesCollectionAtomically(t *testing.T) {
	d := MustOpen(t)
	var reports []Progress
	ctx := WithProgress(bg, func(p Progress) { reports = append(reports, p) })
	res, err := d.Train(ctx, "fb", trainer.FileSource(factbook), TrainOptions{Config: smallConfig(), Watch: [][2]string{{"paris", "france"}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Keys < 1000 || res.Words < 100000 || len(res.History) != 2 {
		t.Fatalf("result %+v", res)
	}
	if len(reports) == 0 || reports[len(reports)-1].Op != "train" || !strings.HasPrefix(reports[len(reports)-1].Note, "epoch 2/2: paris:france ") {
		t.Fatalf("progress reports: %+v", reports)
	}
	c, _ := d.Collection("fb")
	info, _ := c.Info()
	if info.Params["dim"] != "24" || info.Params["algorithm"] != "SKIPGRAM" || info.Params["epochs"] != "2" || !strings.Contains(info.Params["corpus"], "factbook") {
		t.Fatalf("params %v", info.Params)
	}
	v, _ := c.View()
	for i := 1; i < v.Len(); i++ {
		if v.Count(i) > v.Count(i-1) {
			t.Fatalf("keys not in frequency order at %d", i)
		}
	}
	before := snapshotRows(t, c)

	// A cancelled run leaves the collection as it was.
	cctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := d.Train(cctx, "fb", trainer.FileSource(factbook), TrainOptions{Config: smallConfig()}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	// A failing run (nothing reaches min_count) too.
	bad := smallConfig()
	bad.MinCount = 1 << 30
	if _, err := d.Train(bg, "fb", trainer.FileSource(factbook), TrainOptions{Config: bad}); !errors.Is(err, trainer.ErrNoVocab) {
		t.Fatalf("min_count too high: %v", err)
	}
	if after := snapshotRows(t, c); !reflect.DeepEqual(before, after) {
		t.Fatal("failed or cancelled training changed the collection")
	}

	// Continue: old keys keep their positions, more words are seen.
	more := smallConfig()
	more.Epochs = 1
	res2, err := d.Train(bg, "fb", trainer.SliceSource([][]string{strings.Fields(strings.Repeat("zyzzyva quokka ", 10))}), TrainOptions{Config: more, Continue: true})
	if err != nil {
		t.Fatal(err)
	}
	v2, _ := c.View()
	if res2.Keys != v.Len()+2 || v2.Key(0) != v.Key(0) || v2.Key(v.Len()-1) != v.Key(v.Len()-1) {
		t.Fatalf("continue: %d keys (was %d)", res2.Keys, v.Len())
	}
	if _, ok := v2.Lookup("quokka"); !ok {
		t.Fatal("new key missing after continue")
	}
	info, _ = c.Info()
	if info.Params["continued"] != "true" {
		t.Fatalf("params after continue: %v", info.Params)
	}
}

func TestEvaluate(t *testing.T) {
	d := MustOpen(t)
	cfg := smallConfig()
	cfg.Epochs = 3
	if _, err := d.Train(bg, "fb", trainer.FileSource(factbook), TrainOptions{Config: cfg}); err != nil {
		t.Fatal(err)
	}
	res, err := d.EvaluateAnalogies(bg, "fb", "../trainer/testdata/capitals.txt", EvaluateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sections) == 0 {
		t.Fatalf("no sections: %+v", res)
	}
	if _, err := d.EvaluateAnalogies(bg, "nope", "../trainer/testdata/capitals.txt", EvaluateOptions{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing collection: %v", err)
	}
}

package storage

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestSetOutput(t *testing.T) {
	db := mustOpen(t)
	create(t, db, "c", 2)
	err := db.Update(func(tx *Tx) error {
		c, err := tx.Collection("c")
		if err != nil {
			return err
		}
		id, err := c.Insert(&Row{Key: "a", Vector: []float32{1, 0}})
		if err != nil {
			return err
		}
		if c.HasOutput() {
			t.Error("an inserted collection has no output weights")
		}
		if err := c.SetOutput(id, []float32{1}); !errors.Is(err, ErrDimension) {
			t.Errorf("wrong length: %v", err)
		}
		if err := c.SetOutput(id+7, []float32{1, 2}); !errors.Is(err, ErrKeyNotFound) {
			t.Errorf("no such row: %v", err)
		}
		if err := c.SetOutput(id, []float32{0.5, -2}); err != nil {
			return err
		}
		return c.Save()
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(func(tx *Tx) error {
		c, err := tx.Collection("c")
		if err != nil {
			return err
		}
		id, _ := c.ID("a")
		if got := c.Output(id); !slices.Equal(got, []float32{0.5, -2}) {
			t.Errorf("output %v", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := db.Check(context.Background(), "c", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 {
		t.Errorf("check: %v", rep.Problems)
	}
}

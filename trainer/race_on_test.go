//go:build race

package trainer

// raceEnabled is true under -race: Hogwild training (Threads > 1) races by
// design, so multi-threaded tests skip themselves.
const raceEnabled = true

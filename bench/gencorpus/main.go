// Command gencorpus writes the synthetic corpus that dbguard's tests and
// benchmarks read (internal/testenv/gencorpus), for the bench/ scripts and
// for anyone who wants the same files by hand:
//
//	go run ./bench/gencorpus --out /tmp/corpus/files-1000 --files 1000 --seed 42
//
// It replaces the folder given, writes FOLDER.manifest.tsv beside it (one
// line per file: path, TAB, the violations planted or "-") and prints a
// summary on standard error.
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"

	"github.com/dbguard/dbguard/internal/testenv/gencorpus"
)

func main() {
	fs := flag.NewFlagSet("gencorpus", flag.ContinueOnError)
	out := fs.String("out", "", "output folder (replaced); the manifest goes beside it")
	opts := gencorpus.Options{}
	fs.IntVar(&opts.Files, "files", 10000, "number of files")
	fs.Uint64Var(&opts.Seed, "seed", 42, "random seed: the same seed and count give the same files")
	fs.Float64Var(&opts.ViolationRate, "violation-rate", 0.05, "share of files with planted violations")
	fs.IntVar(&opts.PerDir, "per-dir", 100, "files per sub-folder")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gencorpus --out DIR [--files N] [--seed S] [--violation-rate R] [--per-dir N]")
		os.Exit(2)
	}
	sum, err := gencorpus.Write(*out, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
	exts := make([]string, 0, len(sum.ByFormat))
	for e := range sum.ByFormat {
		exts = append(exts, e)
	}
	sort.Strings(exts)
	fmt.Fprintf(os.Stderr, "wrote %d files (%d bytes) to %s; %d with violations; formats", sum.Files, sum.Bytes, *out, sum.Violators)
	for _, e := range exts {
		fmt.Fprintf(os.Stderr, " %s=%d", e, sum.ByFormat[e])
	}
	fmt.Fprintf(os.Stderr, "; manifest %s\n", sum.ManifestAt)
}

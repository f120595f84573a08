#!/usr/bin/env python3
"""Copy a corpus folder and change 1% of its files, deterministically.

Usage: mutate.py OLD NEW [--rate 0.01] [--seed 7]

Every 100th file (by sorted path, offset by the seed) gets one change of
meaning: the first port 5432/3306 moves to 6432/3307, else the first
'localhost' becomes 'localhost2', else a line is appended. The rest are
copied byte for byte.
"""
import argparse, os, random, shutil

ap = argparse.ArgumentParser()
ap.add_argument("old"); ap.add_argument("new")
ap.add_argument("--rate", type=float, default=0.01)
ap.add_argument("--seed", type=int, default=7)
a = ap.parse_args()
if os.path.exists(a.new):
    shutil.rmtree(a.new)
shutil.copytree(a.old, a.new)
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(a.new) for f in fs)
rng = random.Random(a.seed)
chosen = rng.sample(files, max(1, int(len(files) * a.rate)))
for p in chosen:
    text = open(p, encoding="utf-8", errors="surrogateescape").read()
    for old, new in (("5432", "6432"), ("3306", "3307"), ("localhost", "localhost2")):
        if old in text:
            text = text.replace(old, new, 1)
            break
    else:
        text += "\n"
    open(p, "w", encoding="utf-8", errors="surrogateescape").write(text)
print(f"changed {len(chosen)} of {len(files)} files")

#!/usr/bin/env python3
"""Checks dbguard check's and conftest's per-file results against a
gen-corpus manifest, before any timing is reported (bench/check/run.sh).

Usage: compare.py MANIFEST CORPUS_DIR DBGUARD_JSON CONFTEST_JSON

For every file in the manifest, the set of the five planted kinds that each
tool found must equal the manifest's set. dbguard's rule ids map to kinds as
in internal/cli/check_test.go (syntheticKinds); its other rules are not
counted. conftest's failure messages begin with the kind (bench/check/policy).
Exits 1 and lists each disagreement when either tool is wrong on any file.
"""
import json
import os
import sys

KINDS = ["ssl_disabled_in_prod", "no_connect_timeout", "pool_too_large",
         "plaintext_password", "port_out_of_range"]

# dbguard rule id -> manifest kind (internal/cli/check_test.go).
RULES = {
    "tls-disabled-production": "ssl_disabled_in_prod",
    "connect-timeout-missing": "no_connect_timeout",
    "connect-timeout-driver-default": "no_connect_timeout",
    "pool-too-large": "pool_too_large",
    "password-literal": "plaintext_password",
    "port-invalid": "port_out_of_range",
}


def rel(path, corpus):
    p = os.path.relpath(os.path.normpath(path), corpus)
    if p.startswith(".."):
        sys.exit(f"compare.py: {path} is not below {corpus}")
    return p


def main():
    manifest, corpus, dbg_json, cft_json = sys.argv[1:5]
    corpus = os.path.normpath(corpus)
    want = {}
    for line in open(manifest):
        f, _, kinds = line.rstrip("\n").partition("\t")
        want[f] = set() if kinds == "-" else set(kinds.split(","))

    dbg = {}
    for fd in json.load(open(dbg_json))["findings"]:
        kind = RULES.get(fd["rule"])
        if kind:
            dbg.setdefault(rel(fd["file"], corpus), set()).add(kind)

    cft, seen = {}, set()
    for res in json.load(open(cft_json)):
        f = rel(res["filename"], corpus)
        seen.add(f)
        for fail in res.get("failures") or []:
            kind = fail["msg"].split(":", 1)[0]
            if kind not in KINDS:
                sys.exit(f"compare.py: conftest message without a kind: {fail['msg']}")
            cft.setdefault(f, set()).add(kind)

    bad = 0
    for tool, got in (("dbguard", dbg), ("conftest", cft)):
        wrong = 0
        for f, w in sorted(want.items()):
            g = got.get(f, set())
            if g != w:
                wrong += 1
                missed = ",".join(sorted(w - g)) or "-"
                extra = ",".join(sorted(g - w)) or "-"
                print(f"MISMATCH {tool} {f}: manifest {','.join(sorted(w)) or '-'}; "
                      f"found {','.join(sorted(g)) or '-'} (missed {missed}, extra {extra})")
        for f in sorted(set(got) - set(want)):
            wrong += 1
            print(f"MISMATCH {tool} {f}: not in the manifest, found {','.join(sorted(got[f]))}")
        planted = sum(len(w) for w in want.values())
        print(f"{tool}: {len(want) - wrong}/{len(want)} files agree with the manifest "
              f"({planted} planted violations)")
        bad += wrong
    missing = set(want) - seen
    if missing:
        print(f"conftest: {len(missing)} files of the manifest were not evaluated, e.g. {sorted(missing)[0]}")
        bad += len(missing)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

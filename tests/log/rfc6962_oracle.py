#!/usr/bin/env python3
"""rfc6962_oracle.py: an independent Merkle Tree Hash (RFC 6962 section 2.1,
RFC 9162 section 2.1.1) using only hashlib, as a cross-check of lib/log.

Prints one line per tree size n = 0..20: "n <hex MTH>", over the entries
"entry-0", "entry-1", ... (ASCII), the same fixed entries the C test
(tests/log/test_log_oracle.c) appends to its store.
"""
import hashlib


def leaf_hash(entry):
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(entries):
    n = len(entries)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaf_hash(entries[0])
    k = 1
    while k << 1 < n:
        k <<= 1
    return node_hash(mth(entries[:k]), mth(entries[k:]))


def main():
    entries = [("entry-%d" % i).encode("ascii") for i in range(20)]
    for n in range(0, 21):
        print(n, mth(entries[:n]).hex())


if __name__ == "__main__":
    main()

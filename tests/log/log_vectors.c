/*
 * log_vectors.c: computes the docs/LOG.md vectors (see log_vectors.h).
 * Inputs: seven fixed entries of household a0a1..af, and a server key from a
 * fixed seed (Ed25519 signing is deterministic, so the checkpoint is too).
 */
#include <stdio.h>
#include <string.h>

#include "crypto/identity_internal.h"
#include "log_vectors.h"

void lv_entry(porch_log_entry *e, unsigned i)
{
    memset(e, 0, sizeof *e);
    for (unsigned j = 0; j < PORCH_LOG_ID_BYTES; j++)
        e->household[j] = (uint8_t)(0xa0 + j);
    e->kind = (porch_log_kind)(1 + i % 6);
    for (unsigned j = 0; j < PORCH_LOG_OBJECT_ID_BYTES; j++)
        e->object_id[j] = (uint8_t)(i * 16 + j);
    memset(e->reader_pk, 0x30 + (int)(i % 3), sizeof e->reader_pk);
    e->time_us = UINT64_C(1764000000000000) + (uint64_t)i * 1000000u;
}

static struct lv *add(struct lv_set *s, const char *name, const void *p, size_t len,
                      size_t first_line, size_t line, const char *note)
{
    struct lv *v = &s->v[s->n++];

    v->name = name;
    memcpy(v->data, p, len);
    v->len = len;
    v->first_line = first_line;
    v->line = line;
    snprintf(v->note, sizeof v->note, "%s", note);
    return v;
}

static int add_store_vectors(struct lv_set *s, porch_log_store *st, const porch_device_secret *srv)
{
    uint8_t leaves[LV_ENTRIES][32], root[32], buf[PORCH_LOG_PROOF_MAX_BYTES];
    uint8_t cpb[PORCH_LOG_CHECKPOINT_BYTES];
    porch_log_inclusion ip;
    porch_log_consistency cp;
    porch_log_checkpoint ck;
    size_t len = 0;
    int ret = PORCH_OK;

    for (unsigned i = 0; i < LV_ENTRIES && ret == PORCH_OK; i++)
        ret = porch_log_store_leaf(st, i, leaves[i]);
    if (ret != PORCH_OK)
        return ret;
    add(s, "log-leaves-7", leaves, sizeof leaves, 32, 32,
        "Leaf hashes H(0x00 || entry i), i = 0..6:");
    if ((ret = porch_log_root(st, 3, root)) != PORCH_OK)
        return ret;
    add(s, "log-root-3", root, 32, 32, 32, "Root of the tree of entries 0..2:");
    if ((ret = porch_log_root(st, 7, root)) != PORCH_OK)
        return ret;
    add(s, "log-root-7", root, 32, 32, 32, "Root of the tree of entries 0..6:");
    if ((ret = porch_log_prove_inclusion(st, 5, 7, &ip)) != PORCH_OK ||
        (ret = porch_log_inclusion_encode(&ip, buf, sizeof buf, &len)) != PORCH_OK)
        return ret;
    add(s, "log-inclusion-5-7", buf, len, 19, 32,
        "Inclusion proof of leaf 5 in the tree of 7 (header line, then one hash per line):");
    if ((ret = porch_log_prove_consistency(st, 3, 7, &cp)) != PORCH_OK ||
        (ret = porch_log_consistency_encode(&cp, buf, sizeof buf, &len)) != PORCH_OK)
        return ret;
    add(s, "log-consistency-3-7", buf, len, 19, 32,
        "Consistency proof from the tree of 3 to the tree of 7:");
    if ((ret = porch_log_checkpoint_make(&ck, st, s->household, UINT64_C(1764000060000000),
                                         srv)) != PORCH_OK ||
        (ret = porch_log_checkpoint_encode(&ck, cpb)) != PORCH_OK)
        return ret;
    add(s, "log-checkpoint-7", cpb, sizeof cpb, 65, 64,
        "Checkpoint of the tree of 7 at 1764000060000000 us (body line, then signature):");
    return PORCH_OK;
}

static int make_server(porch_device_secret **srv)
{
    uint8_t seed[32], box[32];

    for (unsigned i = 0; i < 32; i++) {
        seed[i] = (uint8_t)(0x50 + i);
        box[i] = (uint8_t)(0x90 + i);
    }
    return porch__device_from_seeds(srv, "log-server", seed, box);
}

int lv_build(struct lv_set *s)
{
    porch_device_secret *srv = NULL;
    porch_log_store *st = NULL;
    porch_log_entry e;
    int ret;

    memset(s, 0, sizeof *s);
    if ((ret = make_server(&srv)) != PORCH_OK || (ret = porch_log_store_mem_new(&st)) != PORCH_OK)
        goto out;
    memcpy(s->server_pk, porch_device_public_of(srv)->sign_pk, 32);
    add(s, "log-server-pk", s->server_pk, 32, 32, 32, "The server's Ed25519 log key:");
    for (unsigned i = 0; i < LV_ENTRIES && ret == PORCH_OK; i++) {
        lv_entry(&e, i);
        if ((ret = porch_log_entry_encode(&e, s->entries[i])) == PORCH_OK)
            ret = porch_log_append(st, s->entries[i], PORCH_LOG_ENTRY_BYTES, NULL);
    }
    if (ret != PORCH_OK)
        goto out;
    memcpy(s->household, e.household, sizeof s->household);
    add(s, "log-entries-7", s->entries, sizeof s->entries, PORCH_LOG_ENTRY_BYTES,
        PORCH_LOG_ENTRY_BYTES,
        "Entries 0..6 (74 bytes each, one per line):");
    ret = add_store_vectors(s, st, srv);
out:
    porch_log_store_free(st);
    porch_device_free(srv);
    return ret;
}

const struct lv *lv_find(const struct lv_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].name, name) == 0)
            return &s->v[i];
    return NULL;
}

void lv_print(const struct lv *v, char *out, size_t cap)
{
    size_t o = 0, on_line = 0, width = v->first_line;

    for (size_t i = 0; i < v->len && o + 4 < cap; i++) {
        if (on_line == width) {
            out[o++] = '\n';
            on_line = 0;
            width = v->line;
        }
        o += (size_t)snprintf(out + o, cap - o, "%02x", v->data[i]);
        on_line++;
    }
    out[o] = '\0';
}

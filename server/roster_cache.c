/*
 * roster_cache.c: verified rosters shared between requests.
 *
 * Every authenticated request needs the household's roster verified from
 * its pinned owner key; verifying the whole chain costs one Ed25519
 * verification per entry. The store is still read on every request (the
 * current head decides), but a roster already verified at that exact head
 * is reused. A verified roster is immutable, so readers share it; a slot is
 * reused only when nobody holds it. Correctness never depends on a hit.
 */
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "server/srv.h"

struct porch_srv_rcache {
    pthread_mutex_t lock;
    uint64_t tick;
    struct slot {
        uint8_t hh[PORCH_SRV_HH];
        porch_roster_head head;
        porch_roster *r;        /* owned by the cache */
        unsigned refs;
        uint64_t used;
    } slot[PORCH_SRV_RCACHE];
};

int porch_srv_rcache_new(porch_srv_rcache **out)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return PORCH_ERR_NOMEM;
    pthread_mutex_init(&(*out)->lock, NULL);
    return PORCH_OK;
}

void porch_srv_rcache_free(porch_srv_rcache *c)
{
    if (!c)
        return;
    for (unsigned i = 0; i < PORCH_SRV_RCACHE; i++)
        porch_roster_free(c->slot[i].r);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static struct slot *find(porch_srv_rcache *c, const uint8_t *hh, const porch_roster_head *h)
{
    for (unsigned i = 0; i < PORCH_SRV_RCACHE; i++) {
        struct slot *s = &c->slot[i];
        if (s->r && !memcmp(s->hh, hh, PORCH_SRV_HH) && s->head.seq == h->seq &&
            !memcmp(s->head.hash, h->hash, PORCH_HASH_BYTES))
            return s;
    }
    return NULL;
}

/* Installs r (refs 1) in the least recently used free slot; 0 if none is free. */
static int install(porch_srv_rcache *c, const uint8_t *hh, const porch_roster_head *h,
                   porch_roster *r)
{
    struct slot *best = NULL;

    for (unsigned i = 0; i < PORCH_SRV_RCACHE; i++) {
        struct slot *s = &c->slot[i];
        if (!s->refs && (!best || s->used < best->used))
            best = s;
    }
    if (!best)
        return 0;
    porch_roster_free(best->r);
    memcpy(best->hh, hh, PORCH_SRV_HH);
    best->head = *h;
    best->r = r;
    best->refs = 1;
    best->used = ++c->tick;
    return 1;
}

/* Ownership: *out is shared; give it back with porch_srv_roster_release(). */
int porch_srv_load_roster(porch_srv *s, const uint8_t hh[PORCH_SRV_HH], const porch_roster **out,
                          porch_roster_head *head)
{
    porch_srv_rcache *c = s->rcache;
    uint8_t owner[PORCH_SIGN_PK_BYTES], *bytes = NULL;
    porch_roster *fresh = NULL;
    porch_roster_head h;
    struct slot *hit;
    size_t len = 0;
    int ret;

    *out = NULL;
    if ((ret = s->meta->ops->household_get(s->meta, hh, owner, &h, &bytes, &len)) != PORCH_OK)
        return ret;
    pthread_mutex_lock(&c->lock);
    if ((hit = find(c, hh, &h))) {
        hit->refs++;
        hit->used = ++c->tick;
        *out = hit->r;
    }
    pthread_mutex_unlock(&c->lock);
    if (!*out) {
        if ((ret = porch_roster_load(&fresh, bytes, len, owner, &h, NULL)) == PORCH_OK) {
            pthread_mutex_lock(&c->lock);
            install(c, hh, &h, fresh);   /* uncached when full: released by free */
            pthread_mutex_unlock(&c->lock);
            *out = fresh;
        }
    }
    if (ret == PORCH_OK && head)
        *head = h;
    free(bytes);
    return ret;
}

void porch_srv_roster_release(porch_srv *s, const porch_roster *r)
{
    porch_srv_rcache *c = s->rcache;
    int cached = 0;

    if (!r)
        return;
    pthread_mutex_lock(&c->lock);
    for (unsigned i = 0; i < PORCH_SRV_RCACHE && !cached; i++)
        if (c->slot[i].r == r) {
            c->slot[i].refs--;
            cached = 1;
        }
    pthread_mutex_unlock(&c->lock);
    if (!cached)
        porch_roster_free((porch_roster *)r);
}

/*
 * pool.c: the threads that run handlers which wait for the device.
 *
 * MHD gives each connection to one worker thread for its whole life, chosen
 * at accept. A handler that waits for an fsync (a download's access-log
 * entry, a PATCH's fdatasync, a clip's commit) would hold that worker, and
 * with it every other connection the worker owns: two clients whose
 * connections landed on the same worker waited for each other's flushes, and
 * the group commit saw fewer waiters than there were clients. Such handlers
 * run here instead: the connection is suspended (MHD_suspend_connection)
 * before the request is handed over, any free pool thread runs the handler,
 * which leaves its response in the request, and resumes the connection; MHD
 * then calls the access handler again and the response is queued there.
 *
 * Ownership: the pool (s->pool) is the server's; requests in the queue are
 * MHD's (their connections are suspended, so nothing else touches them).
 * A request submitted after the pool stopped runs on the caller's thread, so
 * the pool is stopped before MHD (nothing left suspended) and freed after.
 */
#include <stdlib.h>

#include "porchlight/error.h"
#include "server/srv.h"

struct porch_srv_pool {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    porch_srv_req *head, *tail;     /* FIFO of waiting requests */
    int stopping;                   /* threads finish the queue, then exit */
    unsigned n;
    pthread_t *threads;
};

static void *pool_main(void *arg)
{
    porch_srv_pool *p = arg;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        porch_srv_req *r = p->head;
        if (!r) {
            if (p->stopping)
                break;
            pthread_cond_wait(&p->cond, &p->lock);
            continue;
        }
        p->head = r->pool_next;
        if (!p->head)
            p->tail = NULL;
        pthread_mutex_unlock(&p->lock);
        r->pool_fn(r);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int porch_srv_pool_start(porch_srv_pool **out, unsigned n)
{
    porch_srv_pool *p = calloc(1, sizeof *p);

    *out = NULL;
    if (!p || !(p->threads = calloc(n ? n : 1, sizeof *p->threads))) {
        free(p);
        return PORCH_ERR_NOMEM;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    for (; p->n < n; p->n++)
        if (pthread_create(&p->threads[p->n], NULL, pool_main, p) != 0)
            break;
    if (p->n == 0) {
        porch_srv_pool_free(p);
        return PORCH_ERR_NOMEM;
    }
    *out = p;
    return PORCH_OK;
}

void porch_srv_pool_submit(porch_srv_pool *p, porch_srv_req *r, void (*fn)(porch_srv_req *))
{
    r->pool_fn = fn;
    r->pool_next = NULL;
    if (p) {
        pthread_mutex_lock(&p->lock);
        if (!p->stopping) {
            if (p->tail)
                p->tail->pool_next = r;
            else
                p->head = r;
            p->tail = r;
            pthread_cond_signal(&p->cond);
            pthread_mutex_unlock(&p->lock);
            return;
        }
        pthread_mutex_unlock(&p->lock);
    }
    fn(r);   /* no pool (stopping): here, the same way */
}

void porch_srv_pool_stop(porch_srv_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->n; i++)
        pthread_join(p->threads[i], NULL);
    p->n = 0;
}

void porch_srv_pool_free(porch_srv_pool *p)
{
    if (!p)
        return;
    porch_srv_pool_stop(p);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
    free(p->threads);
    free(p);
}

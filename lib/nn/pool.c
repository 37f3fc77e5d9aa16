/*
 * pool.c: the non-spinning thread pool (see pool.h).
 * State machine per job: run() bumps gen and sets pending = n-1 under the
 * mutex and broadcasts; each worker that sees a new gen runs its part and
 * decrements pending; the last one signals done. stop ends the workers.
 */
#include <pthread.h>
#include <stdlib.h>

#include "nn/pool.h"
#include "porchlight/error.h"

struct porch__pool {
    int n;                 /* threads including the caller */
    pthread_t *th;         /* n-1 workers */
    int started;           /* workers successfully created */
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    unsigned gen;          /* job generation, guarded by mu */
    int pending, stop;     /* guarded by mu */
    porch__pool_fn fn;
    void *arg;
};

typedef struct { porch__pool *p; int idx; } worker_arg;

static void *worker(void *a)
{
    porch__pool *p = ((worker_arg *)a)->p;
    int idx = ((worker_arg *)a)->idx;
    free(a);
    unsigned seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->gen == seen)
            pthread_cond_wait(&p->go, &p->mu);
        if (p->stop)
            break;
        seen = p->gen;
        porch__pool_fn fn = p->fn;
        void *arg = p->arg;
        pthread_mutex_unlock(&p->mu);
        fn(arg, idx, p->n);
        pthread_mutex_lock(&p->mu);
        if (--p->pending == 0)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* On success *out owns the pool and its n-1 threads; free with porch__pool_free. */
int porch__pool_new(porch__pool **out, int n)
{
    *out = NULL;
    porch__pool *p = calloc(1, sizeof *p);
    if (!p)
        return PORCH_ERR_NOMEM;
    p->n = n < 1 ? 1 : n;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    int rc = PORCH_ERR_NOMEM;
    if (p->n > 1 && !(p->th = calloc((size_t)p->n - 1, sizeof *p->th)))
        goto out;
    for (int i = 1; i < p->n; i++) {
        worker_arg *wa = malloc(sizeof *wa);
        if (!wa)
            goto out;
        *wa = (worker_arg){ p, i };
        if (pthread_create(&p->th[i - 1], NULL, worker, wa)) {
            free(wa);
            goto out;
        }
        p->started++;
    }
    rc = PORCH_OK;
out:
    if (rc)
        porch__pool_free(p);
    else
        *out = p;
    return rc;
}

void porch__pool_free(porch__pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->th[i], NULL);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p->th);
    free(p);
}

int porch__pool_size(const porch__pool *p)
{
    return p->n;
}

void porch__pool_run(porch__pool *p, porch__pool_fn fn, void *arg)
{
    if (p->n == 1) {
        fn(arg, 0, 1);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->fn = fn, p->arg = arg, p->pending = p->n - 1;
    p->gen++;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    fn(arg, 0, p->n);
    pthread_mutex_lock(&p->mu);
    while (p->pending > 0)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

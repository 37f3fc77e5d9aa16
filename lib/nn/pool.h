/*
 * pool.h (internal to lib/nn): a fixed set of worker threads that sleep on
 * a condition variable between jobs (no spinning: on a 2-core box shared
 * with video decoding a spinning pool stalls whenever a worker is
 * descheduled, ML-MODELS.md §0.6). porch__pool_run calls fn(arg, i, n) for
 * i in 0..n-1, part 0 on the caller's thread, and returns when all are done.
 */
#ifndef PORCH_NN_POOL_H
#define PORCH_NN_POOL_H

typedef struct porch__pool porch__pool;
typedef void (*porch__pool_fn)(void *arg, int part, int nparts);

/* n >= 1 threads in all (n-1 workers). *out is owned by the caller. */
int porch__pool_new(porch__pool **out, int n);
void porch__pool_free(porch__pool *p);
void porch__pool_run(porch__pool *p, porch__pool_fn fn, void *arg);
int porch__pool_size(const porch__pool *p);

#endif

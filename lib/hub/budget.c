/*
 * budget.c: the hub's detector budget, a counting semaphore over detector
 * runs shared by the camera threads (docs/HUB.md, detect_threads).
 */
#include <pthread.h>
#include <stdlib.h>

#include "porchlight/error.h"
#include "porchlight/hub_trigger.h"
#include "hub/hub_internal.h"

struct porch_detect_budget {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    unsigned free_runs;             /* guarded by mu */
};

int porch_detect_budget_new(porch_detect_budget **out, unsigned runs)
{
    porch_detect_budget *b;

    if (out)
        *out = NULL;
    if (!out || runs == 0)
        return PORCH_ERR_INVALID_ARG;
    if (!(b = calloc(1, sizeof *b)))
        return PORCH_ERR_NOMEM;
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cond, NULL);
    b->free_runs = runs;
    *out = b;
    return PORCH_OK;
}

void porch_detect_budget_free(porch_detect_budget *b)
{
    if (!b)
        return;
    pthread_cond_destroy(&b->cond);
    pthread_mutex_destroy(&b->mu);
    free(b);
}

/* Every holder releases after one detector run, so the wait is bounded. */
void porch__budget_acquire(porch_detect_budget *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->mu);
    while (b->free_runs == 0)
        pthread_cond_wait(&b->cond, &b->mu);
    b->free_runs--;
    pthread_mutex_unlock(&b->mu);
}

void porch__budget_release(porch_detect_budget *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->mu);
    b->free_runs++;
    pthread_cond_signal(&b->cond);
    pthread_mutex_unlock(&b->mu);
}

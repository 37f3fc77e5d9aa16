/*
 * graph.c: node lookup by name, input resolution and topological order.
 *
 * Names must be unique. Node order in the file is not trusted: Kahn's
 * algorithm orders the nodes and a cycle is PORCH_ERR_MALFORMED.
 */
#include <stdlib.h>
#include <string.h>

#include "nn/nn_internal.h"
#include "porchlight/error.h"

/* qsort_r is not C17; a pointer to the node array rides along each index. */
typedef struct { const char *name; int idx; } name_ref;

static int cmp_ref(const void *a, const void *b)
{
    return strcmp(((const name_ref *)a)->name, ((const name_ref *)b)->name);
}

static int build_index(porch__graph *g)
{
    name_ref *r = calloc((size_t)g->n_node, sizeof *r);
    g->sorted_idx = calloc((size_t)g->n_node, sizeof *g->sorted_idx);
    int rc = PORCH_ERR_NOMEM;
    if (!r || !g->sorted_idx)
        goto out;
    for (int i = 0; i < g->n_node; i++)
        r[i] = (name_ref){ g->node[i].name, i };
    qsort(r, (size_t)g->n_node, sizeof *r, cmp_ref);
    rc = PORCH_ERR_MALFORMED;
    for (int i = 0; i < g->n_node; i++) {
        if (i > 0 && strcmp(r[i - 1].name, r[i].name) == 0)
            goto out; /* duplicate node name */
        g->sorted_idx[i] = r[i].idx;
    }
    rc = PORCH_OK;
out:
    free(r);
    return rc;
}

int porch__graph_find(const porch__graph *g, const char *name)
{
    int lo = 0, hi = g->n_node - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(g->node[g->sorted_idx[mid]].name, name);
        if (c == 0)
            return g->sorted_idx[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* Kahn's algorithm; g->order lists every node after all of its inputs. */
static int topo_sort(porch__graph *g)
{
    int n = g->n_node, rc = PORCH_ERR_NOMEM, head = 0, tail = 0;
    int *indeg = calloc((size_t)n, sizeof *indeg);
    int *nuse = calloc((size_t)n + 1, sizeof *nuse);  /* CSR of consumers */
    int *users = NULL, *fill = calloc((size_t)n, sizeof *fill);
    g->order = calloc((size_t)n, sizeof *g->order);
    if (!indeg || !nuse || !fill || !g->order)
        goto out;
    size_t total = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < g->node[i].n_in; k++, total++)
            nuse[g->node[i].in_node[k] + 1]++, indeg[i]++;
    for (int i = 0; i < n; i++)
        nuse[i + 1] += nuse[i];
    if (!(users = calloc(total + 1, sizeof *users)))
        goto out;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < g->node[i].n_in; k++) {
            int src = g->node[i].in_node[k];
            users[nuse[src] + fill[src]++] = i;
        }
    for (int i = 0; i < n; i++)
        if (indeg[i] == 0)
            g->order[tail++] = i;
    while (head < tail) {
        int v = g->order[head++];
        for (int u = nuse[v]; u < nuse[v + 1]; u++)
            if (--indeg[users[u]] == 0)
                g->order[tail++] = users[u];
    }
    rc = tail == n ? PORCH_OK : PORCH_ERR_MALFORMED; /* a cycle leaves nodes unsorted */
out:
    free(indeg);
    free(nuse);
    free(users);
    free(fill);
    return rc;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Without a signature the outputs are the nodes nothing consumes (tfjs's rule),
 * Const and Placeholder excepted, in name order. */
static int default_outputs(porch__graph *g)
{
    char *used = calloc((size_t)g->n_node, 1);
    int rc = PORCH_ERR_NOMEM;
    if (!used || !(g->out_names = calloc(PORCH__NN_MAX_INPUTS, sizeof *g->out_names)))
        goto out;
    for (int i = 0; i < g->n_node; i++)
        for (int k = 0; k < g->node[i].n_in; k++)
            used[g->node[i].in_node[k]] = 1;
    rc = PORCH_OK;
    for (int i = 0; i < g->n_node && !rc; i++) {
        if (used[i] || !strcmp(g->node[i].op, "Const") || !strcmp(g->node[i].op, "Placeholder"))
            continue;
        if (g->n_out == PORCH__NN_MAX_INPUTS)
            rc = PORCH_ERR_TOO_LARGE;
        else if (!(g->out_names[g->n_out++] = strdup(g->node[i].name)))
            rc = PORCH_ERR_NOMEM;
    }
    if (!rc && g->n_out == 0)
        rc = PORCH_ERR_MALFORMED;
    if (!rc)
        qsort(g->out_names, (size_t)g->n_out, sizeof *g->out_names, cmp_name);
out:
    free(used);
    return rc;
}

int porch__graph_link(porch__graph *g)
{
    int rc = build_index(g);
    for (int i = 0; rc == PORCH_OK && i < g->n_node; i++)
        rc = porch__graph_resolve_inputs(g, i);
    if (rc == PORCH_OK)
        rc = topo_sort(g);
    if (rc == PORCH_OK && g->n_out == 0)
        rc = default_outputs(g);
    return rc;
}

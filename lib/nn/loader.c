/*
 * loader.c: model.json bytes -> porch__graph.
 *
 * The document is untrusted: it is parsed by jansson only after its length
 * was checked against the caller's cap, and every field is type-checked
 * before use (a wrong type is PORCH_ERR_MALFORMED, never a crash). Strings
 * stay owned by the jansson document (g->root) for the graph's lifetime.
 */
#include <stdlib.h>
#include <string.h>

#include "nn/nn_internal.h"
#include "porchlight/error.h"

static int parse_ref(const char *s, char *name, size_t cap, int *port)
{
    if (s[0] == '^')
        return PORCH_ERR_UNSUPPORTED; /* control dependencies never occur in tfjs graphs */
    const char *colon = strrchr(s, ':');
    size_t n = colon ? (size_t)(colon - s) : strlen(s);
    *port = 0;
    if (colon) {
        char *end = NULL;
        long v = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || *end || v < 0 || v >= PORCH__NN_MAX_INPUTS)
            return PORCH_ERR_MALFORMED;
        *port = (int)v;
    }
    if (n == 0 || n >= cap)
        return PORCH_ERR_MALFORMED;
    memcpy(name, s, n);
    name[n] = 0;
    return PORCH_OK;
}

/* Records input names now; graph.c resolves them once all nodes are known. */
static int parse_inputs(porch__gnode *n, json_t *inputs)
{
    if (!inputs)
        return PORCH_OK;
    if (!json_is_array(inputs))
        return PORCH_ERR_MALFORMED;
    size_t k = json_array_size(inputs);
    if (k > PORCH__NN_MAX_INPUTS)
        return PORCH_ERR_TOO_LARGE;
    n->n_in = (int)k;
    n->in_node = calloc(k ? k : 1, sizeof *n->in_node);
    n->in_port = calloc(k ? k : 1, sizeof *n->in_port);
    if (!n->in_node || !n->in_port)
        return PORCH_ERR_NOMEM;
    for (size_t i = 0; i < k; i++) {
        if (!json_is_string(json_array_get(inputs, i)))
            return PORCH_ERR_MALFORMED;
        n->in_node[i] = -1;
    }
    return PORCH_OK;
}

static int parse_node(porch__gnode *n, json_t *obj)
{
    json_t *name = json_object_get(obj, "name");
    json_t *op = json_object_get(obj, "op");
    json_t *attr = json_object_get(obj, "attr");
    if (!json_is_object(obj) || !json_is_string(name) || !json_is_string(op))
        return PORCH_ERR_MALFORMED;
    if (attr && !json_is_object(attr))
        return PORCH_ERR_MALFORMED;
    n->name = json_string_value(name);
    n->op = json_string_value(op);
    if (strlen(n->name) == 0 || strlen(n->name) >= PORCH__NN_MAX_NAME)
        return PORCH_ERR_MALFORMED;
    n->attr = attr;
    return parse_inputs(n, json_object_get(obj, "input"));
}

/* Input names for node i, resolved against the name index. */
int porch__graph_resolve_inputs(porch__graph *g, int i)
{
    porch__gnode *n = &g->node[i];
    json_t *arr = json_object_get(json_array_get(
        json_object_get(json_object_get(g->root, "modelTopology"), "node"), (size_t)i), "input");
    char buf[PORCH__NN_MAX_NAME];
    for (int k = 0; k < n->n_in; k++) {
        int port = 0;
        int rc = parse_ref(json_string_value(json_array_get(arr, (size_t)k)), buf, sizeof buf, &port);
        if (rc)
            return rc;
        int src = porch__graph_find(g, buf);
        if (src < 0)
            return PORCH_ERR_MALFORMED; /* reference to a node that does not exist */
        n->in_node[k] = src;
        n->in_port[k] = port;
    }
    return PORCH_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Graph outputs: the signature's output names, without ":0", sorted. */
static int parse_outputs(porch__graph *g)
{
    json_t *outs = json_object_get(json_object_get(g->root, "signature"), "outputs");
    if (!outs)
        return PORCH_OK; /* no signature: graph.c takes the unconsumed nodes, as tfjs does */
    if (!json_is_object(outs) || json_object_size(outs) == 0)
        return PORCH_ERR_MALFORMED;
    if (json_object_size(outs) > PORCH__NN_MAX_INPUTS)
        return PORCH_ERR_TOO_LARGE;
    g->out_names = calloc(json_object_size(outs), sizeof *g->out_names);
    if (!g->out_names)
        return PORCH_ERR_NOMEM;
    const char *key;
    json_t *v;
    json_object_foreach(outs, key, v) {
        char buf[PORCH__NN_MAX_NAME];
        int port = 0;
        int rc = parse_ref(key, buf, sizeof buf, &port);
        if (rc)
            return rc;
        if (port != 0)
            return PORCH_ERR_UNSUPPORTED;
        g->out_names[g->n_out] = strdup(buf);
        if (!g->out_names[g->n_out])
            return PORCH_ERR_NOMEM;
        g->n_out++;
    }
    qsort(g->out_names, (size_t)g->n_out, sizeof *g->out_names, cmp_str);
    return PORCH_OK;
}

/* On success g owns the parsed document; the caller frees g with porch__graph_free
 * (also after a failure: it is left consistent). */
int porch__graph_parse(porch__graph *g, const uint8_t *json, size_t len)
{
    int rc = PORCH_ERR_MALFORMED;
    memset(g, 0, sizeof *g);
    json_error_t jerr;
    g->root = json_loadb((const char *)json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!g->root || !json_is_object(g->root))
        goto out;
    json_t *nodes = json_object_get(json_object_get(g->root, "modelTopology"), "node");
    if (!json_is_array(nodes) || json_array_size(nodes) == 0)
        goto out;
    rc = PORCH_ERR_TOO_LARGE;
    if (json_array_size(nodes) > PORCH__NN_MAX_NODES)
        goto out;
    rc = PORCH_ERR_NOMEM;
    g->node = calloc(json_array_size(nodes), sizeof *g->node);
    if (!g->node)
        goto out;
    for (size_t i = 0; i < json_array_size(nodes); i++) {
        g->n_node = (int)i + 1;
        if ((rc = parse_node(&g->node[i], json_array_get(nodes, i))))
            goto out;
    }
    rc = parse_outputs(g);
out:
    return rc;
}

void porch__graph_free(porch__graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n_node; i++) {
        free(g->node[i].in_node);
        free(g->node[i].in_port);
        free(g->node[i].cdata);
    }
    free(g->node);
    free(g->order);
    free(g->sorted_idx);
    for (int i = 0; i < g->n_out; i++)
        free(g->out_names[i]);
    free(g->out_names);
    if (g->root)
        json_decref(g->root);
    memset(g, 0, sizeof *g);
}

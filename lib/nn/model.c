/*
 * model.c: porch_nn_model_load* (files -> bytes under caps -> graph ->
 * weights -> compiled program) and the model's introspection API.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/conv.h"
#include "porchlight/error.h"

#define DEFAULT_MAX_JSON ((size_t)16 << 20)
#define DEFAULT_MAX_WEIGHTS ((size_t)256 << 20)

/* Appends the whole file at path to *buf (realloc'd; caller frees), at most cap bytes in all. */
static int read_append(const char *path, uint8_t **buf, size_t *len, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return PORCH_ERR_IO;
    int rc = PORCH_ERR_IO;
    if (fseek(f, 0, SEEK_END) != 0)
        goto out;
    long sz = ftell(f);
    if (sz < 0 || fseek(f, 0, SEEK_SET) != 0)
        goto out;
    rc = PORCH_ERR_TOO_LARGE;
    if ((size_t)sz > cap - *len)
        goto out;
    rc = PORCH_ERR_NOMEM;
    uint8_t *nb = realloc(*buf, *len + (size_t)sz + 1);
    if (!nb)
        goto out;
    *buf = nb;
    rc = PORCH_ERR_IO;
    if (fread(nb + *len, 1, (size_t)sz, f) != (size_t)sz)
        goto out;
    *len += (size_t)sz;
    rc = PORCH_OK;
out:
    fclose(f);
    return rc;
}

/* Shard names must be plain file names: no directories, no "..". */
static int shard_path(const char *dir, const char *name, char *out, size_t cap)
{
    if (!name || !*name || strchr(name, '/') || strchr(name, '\\') || strcmp(name, "..") == 0 ||
        strcmp(name, ".") == 0)
        return PORCH_ERR_MALFORMED;
    int n = snprintf(out, cap, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= cap ? PORCH_ERR_TOO_LARGE : PORCH_OK;
}

static int read_shards(const porch__graph *g, const char *dir, size_t cap, uint8_t **buf, size_t *len)
{
    json_t *man = json_object_get(g->root, "weightsManifest");
    if (!json_is_array(man))
        return PORCH_ERR_MALFORMED;
    for (size_t i = 0; i < json_array_size(man); i++) {
        json_t *paths = json_object_get(json_array_get(man, i), "paths");
        if (!json_is_array(paths))
            return PORCH_ERR_MALFORMED;
        for (size_t k = 0; k < json_array_size(paths); k++) {
            char path[4096];
            int rc = shard_path(dir, json_string_value(json_array_get(paths, k)), path, sizeof path);
            if (!rc)
                rc = read_append(path, buf, len, cap);
            if (rc)
                return rc;
        }
    }
    return PORCH_OK;
}

static int resolve_isa(const porch_nn_load_opts *o, int *isa)
{
    int want = o ? o->isa : PORCH_NN_ISA_AUTO;
    *isa = porch__cpu_best_isa();
    if (want == PORCH_NN_ISA_AUTO)
        return PORCH_OK;
    if (want < PORCH_NN_ISA_PORTABLE || want > PORCH_NN_ISA_AVX512)
        return PORCH_ERR_INVALID_ARG;
    if (!porch__cpu_has_isa(want))
        return PORCH_ERR_UNSUPPORTED;
    *isa = want;
    return PORCH_OK;
}

/* Compiles a parsed graph (weights attached) into m. */
static int compile(porch_nn_model *m, porch__graph *g, const uint8_t *w, size_t wlen)
{
    int rc = porch__graph_link(g);
    if (!rc)
        rc = porch__weights_decode(g, w, wlen);
    if (!rc)
        rc = porch__lower(&m->prog, g);
    if (!rc)
        rc = porch__fuse(&m->prog);
    if (!rc)
        rc = porch__plan(&m->prog);
    return rc;
}

static int load_common(porch_nn_model **out, const uint8_t *json, size_t json_len,
                       const uint8_t *w, size_t wlen, const char *dir, const porch_nn_load_opts *o)
{
    porch__graph g;
    uint8_t *shards = NULL;
    size_t slen = 0, wcap = o && o->max_weight_bytes ? o->max_weight_bytes : DEFAULT_MAX_WEIGHTS;
    porch_nn_model *m = calloc(1, sizeof *m);
    int rc = m ? resolve_isa(o, &m->isa) : PORCH_ERR_NOMEM;
    memset(&g, 0, sizeof g);
    if (rc)
        goto out;
    if ((rc = porch__graph_parse(&g, json, json_len)))
        goto out;
    if (dir && (rc = read_shards(&g, dir, wcap, &shards, &slen)))
        goto out;
    rc = PORCH_ERR_TOO_LARGE;
    if ((dir ? slen : wlen) > wcap)
        goto out;
    rc = compile(m, &g, dir ? shards : w, dir ? slen : wlen);
out:
    porch__graph_free(&g);
    free(shards);
    if (rc)
        porch_nn_model_free(m);
    else
        *out = m;
    return rc;
}

/* On success *out owns the model; nothing of the buffers is kept. */
int porch_nn_model_load_mem(porch_nn_model **out, const uint8_t *json, size_t json_len,
                            const uint8_t *weights, size_t weights_len,
                            const porch_nn_load_opts *opts)
{
    if (out)
        *out = NULL;
    if (!out || !json || (!weights && weights_len))
        return PORCH_ERR_INVALID_ARG;
    size_t cap = opts && opts->max_json_bytes ? opts->max_json_bytes : DEFAULT_MAX_JSON;
    if (json_len > cap)
        return PORCH_ERR_TOO_LARGE;
    return load_common(out, json, json_len, weights ? weights : (const uint8_t *)"", weights_len,
                       NULL, opts);
}

/* On success *out owns the model. */
int porch_nn_model_load(porch_nn_model **out, const char *json_path, const char *bin_dir,
                        const porch_nn_load_opts *opts)
{
    if (out)
        *out = NULL;
    if (!out || !json_path)
        return PORCH_ERR_INVALID_ARG;
    size_t cap = opts && opts->max_json_bytes ? opts->max_json_bytes : DEFAULT_MAX_JSON, len = 0;
    uint8_t *json = NULL;
    char dir[4096];
    int rc = read_append(json_path, &json, &len, cap);
    if (!rc && !bin_dir) {
        const char *slash = strrchr(json_path, '/');
        size_t n = slash ? (size_t)(slash - json_path) : 1;
        rc = n < sizeof dir ? PORCH_OK : PORCH_ERR_TOO_LARGE;
        if (!rc) {
            memcpy(dir, slash ? json_path : ".", n);
            dir[n] = 0;
            bin_dir = dir;
        }
    }
    if (!rc)
        rc = load_common(out, json, len, NULL, 0, bin_dir, opts);
    free(json);
    return rc;
}

void porch_nn_model_free(porch_nn_model *m)
{
    if (!m)
        return;
    porch__prog_free(&m->prog);
    free(m);
}

size_t porch_nn_model_n_inputs(const porch_nn_model *m)
{
    return m ? (size_t)m->prog.n_inputs : 0;
}

size_t porch_nn_model_n_outputs(const porch_nn_model *m)
{
    return m ? (size_t)m->prog.n_outputs : 0;
}

static void fill_info(const porch__prog *p, int v, const char *name, porch_nn_tensor_info *info)
{
    info->name = name;
    info->rank = p->val[v].shape.rank;
    for (int i = 0; i < info->rank; i++)
        info->dim[i] = p->val[v].shape.d[i];
    info->count = (size_t)porch__shape_count(&p->val[v].shape);
}

int porch_nn_model_input(const porch_nn_model *m, size_t i, porch_nn_tensor_info *info)
{
    if (info)
        memset(info, 0, sizeof *info);
    if (!m || !info || i >= (size_t)m->prog.n_inputs)
        return PORCH_ERR_INVALID_ARG;
    fill_info(&m->prog, m->prog.inputs[i], m->prog.in_names[i], info);
    return PORCH_OK;
}

int porch_nn_model_output(const porch_nn_model *m, size_t i, porch_nn_tensor_info *info)
{
    if (info)
        memset(info, 0, sizeof *info);
    if (!m || !info || i >= (size_t)m->prog.n_outputs)
        return PORCH_ERR_INVALID_ARG;
    fill_info(&m->prog, m->prog.outputs[i], m->prog.out_names[i], info);
    return PORCH_OK;
}

int porch_nn_model_find_output(const porch_nn_model *m, const char *name, size_t *idx)
{
    if (idx)
        *idx = 0;
    if (!m || !name || !idx)
        return PORCH_ERR_INVALID_ARG;
    for (int i = 0; i < m->prog.n_outputs; i++)
        if (strcmp(m->prog.out_names[i], name) == 0) {
            *idx = (size_t)i;
            return PORCH_OK;
        }
    return PORCH_ERR_INVALID_ARG;
}

double porch_nn_model_flops(const porch_nn_model *m)
{
    return m ? m->prog.flops : 0.0;
}

int porch_nn_model_isa(const porch_nn_model *m)
{
    return m ? m->isa : PORCH_NN_ISA_PORTABLE;
}

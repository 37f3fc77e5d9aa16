/*
 * hub_detect.c: detection in the live hub: one NanoDet model for every
 * camera with `trigger = detect` (immutable, shared), the detector thread
 * budget across those cameras, and each camera's trigger from its
 * configuration.
 *
 * Budget: T = [hub] detect_threads (default: online cores) is split over
 * the n detect cameras: each session gets t = max(1, T / n) threads and at
 * most max(1, T / t) detector runs are in flight at once, so the detectors
 * never use more than T threads together (a camera waits for a free run).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "porchlight/error.h"
#include "porchlight/hub.h"
#include "hub/hub_internal.h"

static size_t detect_cameras(const porch_hub_config *cfg)
{
    size_t n = 0;

    for (size_t i = 0; i < cfg->n_cameras; i++)
        n += cfg->cameras[i].trigger == PORCH_HUB_TRIGGER_DETECT;
    return n;
}

static unsigned thread_budget(const porch_hub_config *cfg)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    if (cfg->detect_threads)
        return cfg->detect_threads;
    if (cores < 1)
        return 1;
    return cores > (long)PORCH_HUB_MAX_DETECT_THREADS ? PORCH_HUB_MAX_DETECT_THREADS
                                                      : (unsigned)cores;
}

int porch__hub_detect_init(struct porch_hub *h)
{
    const porch_hub_config *cfg = h->o.cfg;
    size_t n = detect_cameras(cfg);
    unsigned total = thread_budget(cfg);

    h->model_err = PORCH_OK;
    if (n == 0)
        return PORCH_OK;
    snprintf(h->model_path, sizeof h->model_path, "%s/nanodet.json",
             cfg->models_dir[0] ? cfg->models_dir : ".deps/models");
    h->detect_threads = total / n > 0 ? total / (unsigned)n : 1;
    h->model_err = porch_nn_model_load(&h->model, h->model_path, NULL, NULL);
    if (h->model_err != PORCH_OK)
        return PORCH_OK; /* each detect camera reports it and is not recorded */
    porch__hub_logf(h, PORCH_HUB_INFO, NULL,
                    "detection: %s for %zu camera(s), %u detector thread(s) each, at most %u "
                    "run(s) at once", h->model_path, n, h->detect_threads,
                    total / h->detect_threads > 0 ? total / h->detect_threads : 1);
    return porch_detect_budget_new(&h->budget,
                                   total / h->detect_threads > 0 ? total / h->detect_threads : 1);
}

void porch__hub_detect_free(struct porch_hub *h)
{
    porch_detect_budget_free(h->budget);
    h->budget = NULL;
    porch_nn_model_free(h->model);
    h->model = NULL;
}

/* The camera's analysis keys (kept raw by the config parser), checked. */
static int analysis_config(struct porch_hub *h, const porch_hub_camera_config *cam,
                           porch_analysis_config *ac)
{
    int explicit_post_roll = 0, ret;

    porch_analysis_config_default(ac);
    for (size_t i = 0; i < cam->n_analysis; i++) {
        const porch_hub_kv *kv = &cam->analysis[i];
        if ((ret = porch_analysis_config_set(ac, kv->key, kv->value)) != PORCH_OK) {
            porch__hub_logf(h, PORCH_HUB_ERROR, cam->name, "%s:%u: %s: %s%s", h->o.cfg->path,
                            kv->line, kv->key, porch_strerror(ret),
                            ret == PORCH_ERR_ANALYSIS_KEY ? " (nor a camera key: docs/HUB.md)" : "");
            return PORCH_ERR_HUB_CONFIG;
        }
        explicit_post_roll |= !strcmp(kv->key, "post_roll");
    }
    /* The hub's `postroll` is the camera's post-roll; the analysis event
     * ends when its object is gone, unless post_roll asks for more. */
    if (!explicit_post_roll)
        ac->post_roll_seconds = 0;
    if ((ret = porch_analysis_config_check(ac)) != PORCH_OK) {
        porch__hub_logf(h, PORCH_HUB_ERROR, cam->name, "%s: analysis settings (line %u on): %s",
                        h->o.cfg->path, cam->line, porch_strerror(ret));
        return PORCH_ERR_HUB_CONFIG;
    }
    return PORCH_OK;
}

static int detect_trigger(struct porch_hub *h, const porch_hub_camera_config *cam,
                          porch_trigger *out)
{
    porch_analysis_config ac;
    porch_analysis_trigger_opts o;
    int ret;

    if (!h->model) {
        porch__hub_logf(h, PORCH_HUB_ERROR, cam->name,
                        "cannot load the detection model %s: %s (%s); run scripts/models.sh, "
                        "set [hub] models = DIR, or trigger = motion-diff",
                        h->model_path, porch_strerror(h->model_err), porch_errname(h->model_err));
        return PORCH_ERR_HUB_CONFIG;
    }
    if ((ret = analysis_config(h, cam, &ac)) != PORCH_OK)
        return ret;
    o = (porch_analysis_trigger_opts){ &ac, h->model, h->detect_threads, h->budget,
                                       cam->analysis_width };
    return porch_analysis_trigger_new(out, &o);
}

int porch__hub_make_trigger(void *ctx, const porch_hub_camera_config *cam, porch_trigger *out)
{
    struct porch_hub *h = ctx;
    porch_diff_trigger_opts o = { cam->diff_threshold, cam->diff_fraction, 1000000 };

    if (cam->trigger == PORCH_HUB_TRIGGER_DETECT)
        return detect_trigger(h, cam, out);
    return porch_diff_trigger_new(out, &o);
}

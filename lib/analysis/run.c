/*
 * run.c: the loop every caller of a file or stream input shares (the
 * offline analysis mode, the evaluation, the benchmark): decode, motion,
 * colour only on demand, detect, report.
 */
#include "porchlight/error.h"
#include "porchlight/source.h"

static int one_frame(porch_analysis *a, porch_source *s, const porch_source_frame *f,
                     porch_analysis_result *res)
{
    porch_analysis_image img;
    int need = 0, err;

    err = porch_analysis_motion(a, f->grey, f->grey_stride, f->pts_us, &need);
    if (err == PORCH_OK && need)
        err = porch_source_colour(s, &img);
    if (err != PORCH_OK)
        return err;
    return porch_analysis_detect(a, need ? &img : NULL, res);
}

int porch_analysis_run(porch_analysis *a, porch_source *s, porch_analysis_result *res,
                       porch_analysis_cb cb, void *ctx)
{
    porch_source_frame f;
    int err;

    if (a == NULL || s == NULL || res == NULL || cb == NULL)
        return PORCH_ERR_INVALID_ARG;
    for (;;) {
        err = porch_source_next(s, &f);
        if (err != PORCH_OK || f.end)
            break;
        err = one_frame(a, s, &f, res);
        if (err == PORCH_OK)
            err = cb(ctx, res, 0);
        if (err != PORCH_OK)
            return err;
    }
    if (err != PORCH_OK)
        return err;
    err = porch_analysis_flush(a, res);
    return err != PORCH_OK ? err : cb(ctx, res, 1);
}

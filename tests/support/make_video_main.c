/*
 * make_video_main.c: `porch-make-test-video OUT [WIDTH HEIGHT FRAMES FPS GOP]`,
 * a synthetic H.264 video (testvideo.c) for scripts/demo.sh when no real
 * footage is at hand. Defaults: 640x360, 96 frames at 24 fps, a keyframe
 * every 24 frames (4 fragments once sealed).
 */
#include <stdio.h>
#include <stdlib.h>

#include <libavutil/log.h>

#include "testvideo.h"

static int arg_int(const char *s, int lo, int hi, int *out)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);

    if (end == s || *end != '\0' || v < lo || v > hi)
        return 0;
    *out = (int)v;
    return 1;
}

int main(int argc, char **argv)
{
    int v[5] = {640, 360, 96, 24, 24};
    static const int lo[5] = {16, 16, 1, 1, 1}, hi[5] = {4096, 4096, 100000, 240, 10000};

    if (argc != 2 && argc != 7) {
        fprintf(stderr, "usage: %s OUT.mp4 [WIDTH HEIGHT FRAMES FPS GOP]\n", argv[0]);
        return 2;
    }
    for (int i = 0; argc == 7 && i < 5; i++)
        if (!arg_int(argv[2 + i], lo[i], hi[i], &v[i])) {
            fprintf(stderr, "%s: bad number '%s'\n", argv[0], argv[2 + i]);
            return 2;
        }
    av_log_set_level(AV_LOG_ERROR);
    if (porch_test_make_video(argv[1], v[0], v[1], v[2], v[3], v[4]) != 0)
        return 1;
    printf("%s: synthetic H.264, %dx%d, %d frames at %d fps, keyframe every %d\n", argv[1],
           v[0], v[1], v[2], v[3], v[4]);
    return 0;
}

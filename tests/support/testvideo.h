/*
 * testvideo.h (tests only): synthetic H.264 test videos.
 *
 * Encodes a moving scene (a checkered square crossing a noisy gradient)
 * with libavcodec's H.264 encoder (libx264 if present) and muxes it to the
 * container named by the path's extension (.mp4, .mkv, ...). Deterministic
 * content; keyframes exactly every `gop` frames. Only FFmpeg is used, so
 * any test may link testvideo.c. Errors are printed to stderr.
 */
#ifndef PORCH_TEST_TESTVIDEO_H
#define PORCH_TEST_TESTVIDEO_H

/* Flags for porch_test_make_video_ex. */
#define PORCH_TESTVIDEO_FRAGMENTED 1u /* .mp4 as fMP4 (frag_keyframe+empty_moov) */
#define PORCH_TESTVIDEO_BFRAMES 2u    /* main profile with B-frames (reordering) */

/* Returns 0 on success, negative on failure (message on stderr). Baseline
 * profile, yuv420p, a normal (moov at the end) MP4 for .mp4 paths. */
int porch_test_make_video(const char *path, int width, int height,
                          int n_frames, int fps, int gop);

int porch_test_make_video_ex(const char *path, int width, int height,
                             int n_frames, int fps, int gop, unsigned flags);

#endif

/*
 * hubfix.h (tests only): a household on disk for the hub, test videos made
 * with the ffmpeg program, child processes, and a checker that opens every
 * clip of a spool as the owner would.
 */
#ifndef PORCH_TEST_HUBFIX_H
#define PORCH_TEST_HUBFIX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "household.h"
#include "porchlight/clip_meta.h"
#include "porchlight/hub.h"
#include "porchlight/media.h"

struct hubfix {
    char dir[512];
    char spool[600], up[600], conf[600];
    struct household hh;
};

/* What one clip holds, as the owner sees it. */
struct clipview {
    char name[64];
    int framing_ok, opened;
    uint32_t records;
    porch_media_stats st;
    int media_ok;
    char reason[PORCH_META_MAX_REASON + 1];
    uint32_t first_label_ms;
    size_t n_labels, thumb_len;
    int thumb_jpeg;
    char camera[64];
};

void hubfix_init(struct hubfix *f);
void hubfix_free(struct hubfix *f);  /* removes the directory */
/* [hub] section + cameras text -> f->conf. spool_limit "" = default. */
void hubfix_config(struct hubfix *f, const char *spool_limit, const char *server,
                   const char *cameras);
/* A video (static grey, a moving textured patch during [m0, m1) seconds). */
int hubfix_video(const char *path, int w, int h, int fps, int gop, double dur, double m0,
                 double m1);
/* Runs argv (NULL-terminated) with stdout/stderr into log (if not NULL). */
pid_t hubfix_spawn(char *const argv[], const char *log);
int hubfix_wait(pid_t pid, int timeout_s);     /* exit status, or -1 (killed it) */
/* Opens every .clip in dir; returns how many (max n). */
size_t hubfix_clips(struct hubfix *f, const char *dir, struct clipview *out, size_t n);
/* Counts files in dir ending with ext. */
size_t hubfix_count(const char *dir, const char *ext);
/* Bytes of lines in a file containing needle. */
size_t hubfix_grep(const char *path, const char *needle);
/* A porch_hub_log_fn collecting every line ("LEVEL camera: msg") in memory,
 * safe from the hub's threads; a malloc()ed snapshot; the lines to stderr. */
void hubfix_log(void *ctx, int level, const char *camera, const char *msg);
/* Loads f->conf into *cfg (REQUIREd to parse) and fills *o for f's household
 * with the hub device hub, logging to hubfix_log; no uploader. *cfg is the
 * caller's (porch_hub_config_free). */
void hubfix_opts(struct hubfix *f, porch_hub_config **cfg, porch_device_secret *hub,
                 porch_hub_opts *o);
char *hubfix_log_copy(void);
void hubfix_log_dump(void);
char *hubfix_bin(const char *rel);   /* $PORCH_BUILD_DIR/rel, static buffer */
int hubfix_have(const char *prog);   /* program on PATH */

#endif

/*
 * porchlight/hub_config.h: the hub's configuration file (docs/HUB.md).
 *
 *   [hub]                      key, passphrase_file | passphrase_env, owner,
 *                              roster, spool, spool_limit, server, server_key,
 *                              server_ca, models, detect_threads, trigger
 *   [camera NAME]              url, analysis_url, rtsp_transport, preroll,
 *                              postroll, max_event, retention, realtime, loop,
 *                              fast_decode, trigger, analysis_width, diff_threshold,
 *                              diff_fraction;
 *                              every other key is an analysis key, kept raw
 *                              (key, value, line) for the analysis parser.
 *
 * Errors name the file, the line, the camera and the problem, e.g.
 *   hub.conf:12: camera 'front': preroll: not a duration (want e.g. 5, 2.5s, 500ms)
 */
#ifndef PORCHLIGHT_HUB_CONFIG_H
#define PORCHLIGHT_HUB_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "porchlight/roster.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PORCH_HUB_CONFIG_MAX (1u << 20)     /* bytes of a config file */
#define PORCH_HUB_LINE_MAX 4096u            /* bytes of one line */
#define PORCH_HUB_MAX_CAMERAS 64u
#define PORCH_HUB_MAX_ANALYSIS_KEYS 256u    /* per camera */
#define PORCH_HUB_STR_MAX 2048u             /* a path or URL, with its NUL */
#define PORCH_HUB_DEFAULT_PREROLL_US INT64_C(5000000)
#define PORCH_HUB_DEFAULT_POSTROLL_US INT64_C(5000000)
#define PORCH_HUB_DEFAULT_MAX_EVENT_US INT64_C(300000000)
#define PORCH_HUB_MAX_PREROLL_US INT64_C(60000000)

/* What decides a camera's events (`trigger` key). */
typedef enum porch_hub_trigger_kind {
    PORCH_HUB_TRIGGER_DETECT = 0,   /* default: the analysis pipeline (motion, NanoDet, rules) */
    PORCH_HUB_TRIGGER_DIFF = 1      /* `motion-diff`: the frame-difference trigger */
} porch_hub_trigger_kind;

#define PORCH_HUB_MAX_DETECT_THREADS 64u

typedef enum porch_rtsp_transport {
    PORCH_RTSP_TCP = 0,   /* default: interleaved in the RTSP connection */
    PORCH_RTSP_UDP = 1
} porch_rtsp_transport;

/* One analysis key, as written (the analysis parser interprets it). */
typedef struct porch_hub_kv {
    char *key;
    char *value;
    unsigned line;
} porch_hub_kv;

typedef struct porch_hub_camera_config {
    char name[PORCH_CAMERA_ID_MAX + 1];
    char url[PORCH_HUB_STR_MAX];          /* main stream: what is recorded */
    char analysis_url[PORCH_HUB_STR_MAX]; /* "" = decode the main stream, scaled */
    porch_rtsp_transport rtsp_transport;
    int realtime;                 /* pace a file at its frame rate (default 0) */
    int loop;                     /* restart a file at its end (default 0) */
    int fast_decode;              /* analysis decode skips H.264 deblocking (default 1) */
    int trigger;                  /* porch_hub_trigger_kind (default: [hub] trigger) */
    int64_t preroll_us, postroll_us, max_event_us;
    uint64_t retention_s;         /* 0 = keep until evicted */
    int analysis_width;           /* pixels of the analysed picture (default 320) */
    double diff_threshold;        /* grey-level change that counts (default 25) */
    double diff_fraction;         /* fraction of changed pixels that fires (default 0.01) */
    unsigned line;                /* line of the [camera] header */
    porch_hub_kv *analysis;       /* n_analysis raw analysis keys */
    size_t n_analysis;
} porch_hub_camera_config;

typedef struct porch_hub_config {
    char path[PORCH_HUB_STR_MAX];          /* the file it came from (for messages) */
    char key_file[PORCH_HUB_STR_MAX];      /* the hub's secret key file */
    char passphrase_file[PORCH_HUB_STR_MAX];
    char passphrase_env[128];              /* name of an environment variable */
    char owner_file[PORCH_HUB_STR_MAX];    /* owner's .pub: the roster's pin */
    char roster_file[PORCH_HUB_STR_MAX];
    char spool_dir[PORCH_HUB_STR_MAX];
    uint64_t spool_limit;                  /* bytes (default 1 GiB) */
    char server_url[PORCH_HUB_STR_MAX];    /* "" = keep clips in the spool only;
                                              file:///DIR = copy into DIR */
    uint8_t server_key[32];                /* the server's signing key (pinned) */
    int have_server_key;
    char server_ca[PORCH_HUB_STR_MAX];     /* PEM CA bundle for an https server;
                                              "" = the system's */
    char models_dir[PORCH_HUB_STR_MAX];    /* holds nanodet.json; "" = .deps/models */
    unsigned detect_threads;               /* detector threads shared by all cameras;
                                              0 = one per online core */
    int trigger;                           /* cameras' default porch_hub_trigger_kind */
    porch_hub_camera_config *cameras;
    size_t n_cameras;
} porch_hub_config;

/*
 * Parses config text (len bytes; NULs refused). `name` names the source in
 * messages. On error, err (if err_cap > 0) holds one line: "NAME:LINE:
 * [camera 'X': ]problem". Ownership: *out owned by the caller, released with
 * porch_hub_config_free(). Errors: INVALID_ARG, TOO_LARGE, HUB_CONFIG, NOMEM.
 */
int porch_hub_config_parse(porch_hub_config **out, const char *text, size_t len,
                           const char *name, char *err, size_t err_cap);

/* Reads path (at most PORCH_HUB_CONFIG_MAX bytes) and parses it. Adds IO. */
int porch_hub_config_load(porch_hub_config **out, const char *path, char *err, size_t err_cap);

void porch_hub_config_free(porch_hub_config *cfg);

/* The camera called name, or NULL. */
const porch_hub_camera_config *porch_hub_config_camera(const porch_hub_config *cfg,
                                                       const char *name);

#ifdef __cplusplus
}
#endif

#endif

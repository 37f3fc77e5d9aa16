/*
 * cmd_grant.c: `porch grant`: let a support device read part of the clips.
 *
 * Signs a grant (scope: cameras + time range and/or clip ids, expiry) with
 * this admin's key and re-wraps the content key of every clip in scope for
 * the support device: for each clip the header is fetched, verified against
 * the roster, unwrapped with this device's key and shared
 * (porch_clip_share_create), the share expiring with the grant. The server
 * stores grant and shares and serves them to the support device until the
 * grant expires or is revoked. Clips recorded later are not covered: a
 * grant shares keys that exist now.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "porchlight/grant.h"

#include "common.h"
#include "server.h"

struct grant_args {
    struct cli_session_args sa;
    struct cli_roster_args r;
    const char *support, *hours, *cameras, *from, *to, *clips;
};

struct share_set {
    size_t n;
    uint8_t (*shares)[PORCH_CLIP_SHARE_BYTES];
    uint8_t (*ids)[16];
};

static int parse_cameras(const char *list, porch_grant *g)
{
    char buf[PORCH_GRANT_MAX_CAMERAS * (PORCH_CAMERA_ID_MAX + 1) + 1], *save = NULL;
    if (strlen(list) >= sizeof buf)
        return cli_usage("grant", "--cameras: too many");
    strcpy(buf, list);
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!porch_camera_id_valid(t) || g->n_cameras >= PORCH_GRANT_MAX_CAMERAS)
            return cli_usage("grant", "--cameras: '%s' is not a camera id (or too many)", t);
        strcpy(g->cameras[g->n_cameras++], t);
    }
    return PORCH_EXIT_OK;
}

static int parse_clips(const char *list, porch_grant *g)
{
    for (const char *p = list; *p;) {
        char hex[33];
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n != 32 || g->n_clips >= PORCH_GRANT_MAX_CLIPS)
            return cli_usage("grant", "--clips: ids are 32 hex digits, at most 4096");
        memcpy(hex, p, 32);
        hex[32] = '\0';
        if (cli_parse_hex(hex, g->clip_ids[g->n_clips++], 16, "grant --clips") != PORCH_EXIT_OK)
            return PORCH_EXIT_USAGE;
        p += n + (e ? 1 : 0);
    }
    return PORCH_EXIT_OK;
}

static int build_scope(const struct grant_args *a, porch_grant *g)
{
    uint64_t hours = 24;
    int rc;
    if ((a->hours && (rc = cli_parse_u64(a->hours, &hours, "grant --hours")) != PORCH_EXIT_OK) ||
        (a->cameras && (rc = parse_cameras(a->cameras, g)) != PORCH_EXIT_OK) ||
        (a->clips && (rc = parse_clips(a->clips, g)) != PORCH_EXIT_OK) ||
        (a->from && (rc = cli_parse_u64(a->from, &g->from_us, "grant --from")) != PORCH_EXIT_OK) ||
        (a->to && (rc = cli_parse_u64(a->to, &g->to_us, "grant --to")) != PORCH_EXIT_OK))
        return rc;
    if (!hours || hours > 24 * 365)
        return cli_usage("grant", "--hours: 1 .. 8760");
    if (!g->n_cameras && !g->n_clips)
        return cli_usage("grant", "give --cameras (with --from/--to) and/or --clips");
    if (g->n_cameras && !a->to)
        g->to_us = cli_now_us() + 1;
    g->created_us = cli_now_us();
    g->expires_us = g->created_us + hours * 3600u * 1000000u;
    return PORCH_EXIT_OK;
}

static int have_id(const struct share_set *s, const uint8_t id[16])
{
    for (size_t i = 0; i < s->n; i++)
        if (memcmp(s->ids[i], id, 16) == 0)
            return 1;
    return 0;
}

/* Fetches a clip's header, checks it and shares its key with the support device. */
static int share_one(struct cli_session *ss, const porch_roster *r, const porch_grant *g,
                     const porch_device_public *sup, const uint8_t id[16], struct share_set *s)
{
    uint8_t *hdr = NULL;
    size_t len = 0;
    porch_clip_info info;
    char hex[33];
    int ret, rc = PORCH_EXIT_OK;

    if (have_id(s, id))
        return PORCH_EXIT_OK;
    cli_hex(hex, id, 16);
    if (s->n >= PORCH_GRANT_MAX_CLIPS)
        return cli_fail(PORCH_ERR_TOO_LARGE, "grant", "more than 4096 clips in scope");
    if ((ret = porch_client_clip_header(ss->c, id, &hdr, &len)) != PORCH_OK)
        return cli_server_fail(ret, ss->c, hex);
    if ((ret = porch_clip_header_parse(&info, hdr, len)) != PORCH_OK ||
        (ret = porch_clip_header_check_roster(hdr, len, r)) != PORCH_OK)
        rc = cli_fail(ret, hex, "clip header");
    else if (memcmp(info.clip_id, id, 16) != 0 || !porch_grant_covers(g, &info))
        rc = cli_fail(PORCH_ERR_GRANT_SCOPE, hex, "clip header");
    else if ((ret = porch_clip_share_create(s->shares[s->n], hdr, len, ss->dev, sup,
                                            g->expires_us)) != PORCH_OK)
        rc = cli_fail(ret, hex, "share");
    else
        memcpy(s->ids[s->n++], id, 16);
    free(hdr);
    return rc;
}

static int share_cameras(struct cli_session *ss, const porch_roster *r, const porch_grant *g,
                         const porch_device_public *sup, struct share_set *s)
{
    for (uint32_t i = 0; i < g->n_cameras; i++) {
        porch_clip_query q = {.camera = g->cameras[i], .from_us = g->from_us, .to_us = g->to_us};
        uint8_t after[16];
        porch_clip_list l = {0};
        int ret, rc = PORCH_EXIT_OK, more;
        do {
            if ((ret = porch_client_clips_list(ss->c, &q, &l)) != PORCH_OK)
                return cli_server_fail(ret, ss->c, "list clips");
            for (size_t k = 0; k < l.n && rc == PORCH_EXIT_OK; k++)
                rc = share_one(ss, r, g, sup, l.items[k].clip_id, s);
            more = l.has_next && l.n;
            memcpy(after, l.next, 16);
            q.after = after;
            porch_clip_list_free(&l);
            if (rc != PORCH_EXIT_OK)
                return rc;
        } while (more);
    }
    return PORCH_EXIT_OK;
}

static int grant_run(const struct grant_args *a, struct cli_session *ss, const porch_roster *r,
                     porch_grant *g)
{
    porch_device_public sup;
    struct share_set s = {0};
    uint8_t *enc = NULL, gid[16];
    size_t len = 0;
    char hex[33];
    int ret, rc;

    if ((rc = cli_load_public(a->support, &sup)) != PORCH_EXIT_OK)
        return rc;
    memcpy(g->household, ss->s.household, 16);
    memcpy(g->support_sign_pk, sup.sign_pk, 32);
    memcpy(g->support_box_pk, sup.box_pk, 32);
    if (!(s.shares = calloc(PORCH_GRANT_MAX_CLIPS, sizeof *s.shares)) ||
        !(s.ids = calloc(PORCH_GRANT_MAX_CLIPS, sizeof *s.ids))) {
        rc = cli_fail(PORCH_ERR_NOMEM, "grant", NULL);
        goto out;
    }
    if ((ret = porch_grant_create(g, ss->dev, &enc, &len)) != PORCH_OK) {
        rc = cli_fail(ret, "grant", "sign");
        goto out;
    }
    if ((ret = porch_grant_check_roster(g, r)) != PORCH_OK) {
        rc = cli_fail(ret, a->support, "grant against the roster");
        goto out;
    }
    if ((rc = share_cameras(ss, r, g, &sup, &s)) != PORCH_EXIT_OK)
        goto out;
    for (uint32_t i = 0; i < g->n_clips && rc == PORCH_EXIT_OK; i++)
        rc = share_one(ss, r, g, &sup, g->clip_ids[i], &s);
    if (rc != PORCH_EXIT_OK)
        goto out;
    if ((ret = porch_client_grant_create(ss->c, enc, len, (const uint8_t(*)[PORCH_CLIP_SHARE_BYTES])
                                         s.shares, s.n, gid)) != PORCH_OK) {
        rc = cli_server_fail(ret, ss->c, "POST grant");
        goto out;
    }
    cli_hex(hex, gid, 16);
    printf("grant %s: %zu clips shared with '%s' until ", hex, s.n, sup.name);
    char when[40];
    cli_time_str(when, sizeof when, g->expires_us);
    printf("%s\n", when);
out:
    free(enc);
    free(s.shares);
    free(s.ids);
    return rc;
}

int cmd_grant(int argc, char **argv)
{
    struct grant_args a = {0};
    const struct cli_opt opts[] = {
        CLI_OPT_SESSION(&a.sa),
        CLI_OPT_ROSTER(&a.r, CLI_REQ), CLI_OPT_PIN(&a.r), CLI_OPT_STATE(&a.r),
        {"support", "SUPPORT.pub", "the support device (a 'support' member of the roster)",
         CLI_REQ, &a.support, NULL},
        {"hours", "N", "grant lifetime in hours (default 24)", 0, &a.hours, NULL},
        {"cameras", "a,b", "cameras whose clips in [--from, --to) are granted", 0, &a.cameras,
         NULL},
        {"from", "US", "range start, Unix microseconds (default 0)", 0, &a.from, NULL},
        {"to", "US", "range end, Unix microseconds (default now)", 0, &a.to, NULL},
        {"clips", "ID,ID", "explicit clip ids", 0, &a.clips, NULL},
    };
    const struct cli_spec spec = {"grant", "Grant a support device access to some clips.",
        NULL, NULL, opts, sizeof opts / sizeof opts[0],
        "Only clips that exist now are shared; revoke with 'porch revoke'."};
    struct cli_session ss = {0};
    porch_roster *r = NULL;
    porch_grant *g = calloc(1, sizeof *g);
    int rc = g ? cli_parse(&spec, argc, argv) : cli_fail(PORCH_ERR_NOMEM, "grant", NULL);

    if (rc == CLI_CONTINUE && (rc = build_scope(&a, g)) == PORCH_EXIT_OK &&
        (rc = cli_roster_load(&a.r, &r)) == PORCH_EXIT_OK &&
        (rc = cli_session_open(&ss, a.sa.state, a.sa.key, a.sa.passfile, a.sa.ca)) ==
            PORCH_EXIT_OK)
        rc = grant_run(&a, &ss, r, g);
    cli_session_close(&ss);
    porch_roster_free(r);
    free(g);
    return rc;
}

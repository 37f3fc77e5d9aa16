/*
 * parse.c: `key = value` configuration text for the analysis settings of
 * one camera. Lines are copied into a bounded buffer and split there; the
 * text is never read past len.
 */
#include <string.h>

#include "porchlight/analysis.h"
#include "porchlight/error.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Trims blanks from both ends of buf[0..n) in place; returns the start. */
static char *trim(char *buf, size_t *n)
{
    char *s = buf;

    while (*n > 0 && is_blank(*s)) {
        s++;
        (*n)--;
    }
    while (*n > 0 && is_blank(s[*n - 1]))
        (*n)--;
    s[*n] = '\0';
    return s;
}

/* Handles one line (NUL-terminated, trimmed). *done = 1 at a section header
 * that follows settings or another header: only the first block is read. */
static int line(porch_analysis_config *cfg, char *s, size_t n, int *seen, int *done)
{
    char *eq, *key, *value;
    size_t kn, vn;

    if (n == 0 || s[0] == '#' || s[0] == ';')
        return PORCH_OK;
    if (s[0] == '[') {
        if (s[n - 1] != ']')
            return PORCH_ERR_ANALYSIS_VALUE;
        *done = (*seen)++ > 0;
        return PORCH_OK;
    }
    eq = memchr(s, '=', n);
    if (eq == NULL)
        return PORCH_ERR_ANALYSIS_VALUE;
    *eq = '\0';
    kn = (size_t)(eq - s);
    vn = n - kn - 1;
    key = trim(s, &kn);
    value = trim(eq + 1, &vn);
    (*seen)++;
    return porch_analysis_config_set(cfg, key, value);
}

int porch_analysis_config_parse(porch_analysis_config *cfg, const char *text, size_t len,
                                int *err_line)
{
    char buf[PORCH_ANALYSIS_MAX_LINE + 1];
    int seen = 0, done = 0, no = 0, err = PORCH_OK;
    size_t off = 0;

    if (err_line != NULL)
        *err_line = 0;
    if (cfg == NULL || (text == NULL && len > 0))
        return PORCH_ERR_INVALID_ARG;
    if (len > PORCH_ANALYSIS_MAX_TEXT)
        return PORCH_ERR_TOO_LARGE;
    while (off < len && !done) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t n = nl != NULL ? (size_t)(nl - (text + off)) : len - off;
        no++;
        if (n > PORCH_ANALYSIS_MAX_LINE) {
            err = PORCH_ERR_TOO_LARGE;
            goto out;
        }
        if (memchr(text + off, '\0', n) != NULL) {
            err = PORCH_ERR_ANALYSIS_VALUE;
            goto out;
        }
        memcpy(buf, text + off, n);
        buf[n] = '\0';
        off += n + 1;
        char *s = trim(buf, &n);
        err = line(cfg, s, n, &seen, &done);
        if (err != PORCH_OK)
            goto out;
    }
    no = 0;
    err = porch_analysis_config_check(cfg);
out:
    if (err != PORCH_OK && err_line != NULL)
        *err_line = no;
    return err;
}

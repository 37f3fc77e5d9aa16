/*
 * common.h: what the verbs of the `porch` CLI share.
 *
 *   common.c      exit codes, error reports, capped file reads
 *   args.c        option tables, parsing and generated --help
 *   passphrase.c  passphrases from a file or the terminal, in sodium_malloc memory
 *   load.c        key files, pins, rosters (verified from the pin) and state files
 *   outfile.c     streamed output to a temporary file, renamed into place
 *   clipwalk.c    a sealed clip: load and check, then open every record
 *   json.c        the clip metadata as JSON
 *
 * Convention: helpers that can fail report the failure themselves on stderr
 * (naming the file, the structure and the problem) and return the process
 * exit code (PORCH_EXIT_*), so a verb only propagates a non-zero result.
 * Helpers that return a porch error code instead say so.
 */
#ifndef PORCH_CLI_COMMON_H
#define PORCH_CLI_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "porchlight/clip.h"
#include "porchlight/clip_meta.h"
#include "porchlight/identity.h"
#include "porchlight/roster.h"

/* ---- exit codes (common.c) ---- */

#define PORCH_EXIT_OK 0
#define PORCH_EXIT_BAD 1    /* verification or authentication failed: bad data, or not for you */
#define PORCH_EXIT_USAGE 2  /* bad command line */
#define PORCH_EXIT_ENV 3    /* I/O or environment: missing file, disk full, no memory */

/* Read caps: a key file is tiny, a roster at most 4096 short entries. */
#define CLI_KEY_FILE_MAX ((size_t)4096)
#define CLI_ROSTER_MAX ((size_t)32 << 20)
#define CLI_CLIP_MAX ((size_t)2 << 30)
#define CLI_STATE_MAX ((size_t)256)

/* The exit code a porch error code calls for (see docs/CLI.md). */
int cli_exit_for(int err);

/*
 * Reports "porch: WHERE: CONTEXT: sentence [PORCH_ERR_NAME]" on stderr, with
 * errno's text for PORCH_ERR_IO, and returns cli_exit_for(err). ctx is a
 * printf format for the structure ("record %u"); NULL leaves it out.
 */
int cli_fail(int err, const char *where, const char *ctx, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports "porch: WHERE: message" (no porch code) and returns exit_code. */
int cli_failf(int exit_code, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* porch_file_read with a cap, reporting failures as `what` (e.g. "roster"). */
int cli_read(const char *path, size_t cap, const char *what, uint8_t **out, size_t *len);

/* porch_file_write_atomic, reporting failures. */
int cli_write(const char *path, const uint8_t *data, size_t len, mode_t mode);

/* 1 when path exists (as anything). */
int cli_exists(const char *path);

/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void cli_hex(char *out, const uint8_t *in, size_t len);

/* "2026-11-25T04:30:32.000000Z" from Unix microseconds; out >= 32 bytes. */
void cli_time_str(char *out, size_t cap, uint64_t unix_us);

uint64_t cli_now_us(void);

/* Copies text for printing on a terminal: control bytes (C0, DEL) become '?',
 * so text from a clip cannot send escape sequences. */
void cli_printable(char *out, size_t cap, const char *text);

/* ---- options (args.c) ---- */

#define CLI_CONTINUE (-1)
#define CLI_REQ 1u

struct cli_opt {
    const char *name;      /* long name without "--" */
    const char *metavar;   /* value placeholder; NULL for a flag */
    const char *help;
    unsigned flags;        /* CLI_REQ */
    const char **value;    /* where a value goes (options with a metavar) */
    int *flag;             /* set to 1 (flags) */
};

struct cli_spec {
    const char *cmd;       /* "roster add" */
    const char *summary;   /* one line */
    const char *pos_name;  /* name of the single positional argument, or NULL */
    const char **pos;      /* where it goes */
    const struct cli_opt *opts;
    size_t n_opts;
    const char *notes;     /* printed after the options in --help, or NULL */
};

/*
 * Parses argv[1..argc-1] (argv[0] is the verb) into the spec's targets.
 * Returns CLI_CONTINUE when the verb should run, PORCH_EXIT_OK after printing
 * --help, or PORCH_EXIT_USAGE after reporting what is wrong.
 */
int cli_parse(const struct cli_spec *spec, int argc, char **argv);

/* Reports a usage error for verb cmd and returns PORCH_EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The options every roster-reading verb takes, and their targets. */
struct cli_roster_args {
    const char *roster;
    const char *pin;
    const char *state;
};

#define CLI_OPT_ROSTER(a, req)                                                        \
    {"roster", "FILE", "household roster file", (req), &(a)->roster, NULL}
#define CLI_OPT_PIN(a)                                                                \
    {"pin", "FPR|FILE", "owner's fingerprint, or owner's .pub/.key file: the trust anchor", \
     CLI_REQ, &(a)->pin, NULL}
#define CLI_OPT_STATE(a)                                                              \
    {"state", "FILE", "last accepted roster head; refuse rollback/fork, update on success", \
     0, &(a)->state, NULL}
#define CLI_OPT_PASSFILE(p)                                                           \
    {"passphrase-file", "FILE", "passphrase on the first line (default: $PORCH_PASSPHRASE_FILE," \
     " else prompt on the terminal)", 0, (p), NULL}

/* ---- passphrases (passphrase.c) ---- */

/* A passphrase in sodium_malloc memory; free with cli_pass_free(). */
struct cli_pass {
    char *text;            /* NUL-terminated */
    size_t len;
};

#define CLI_PASS_MAX 1024u

/*
 * Gets a passphrase: the first line of `file` (or of $PORCH_PASSPHRASE_FILE
 * when file is NULL), else a prompt on the terminal (asked twice when
 * confirm is set). Never from argv.
 */
int cli_pass_get(struct cli_pass *p, const char *file, int confirm);
void cli_pass_free(struct cli_pass *p);

/* ---- keys, pins, rosters (load.c) ---- */

/* Opens a secret key file with a passphrase from passfile/env/terminal. */
int cli_load_secret(const char *path, const char *passfile, porch_device_secret **out);

/* The public half from a .pub file or a .key file (no passphrase needed). */
int cli_load_public(const char *path, porch_device_public *out);

/*
 * Loads and verifies a roster from the pin (a fingerprint or an owner key
 * file); with a state file, refuses rollback or fork and records the head it
 * accepted (a missing state file is the first use: trusted and created).
 * Ownership: *out freed with porch_roster_free().
 */
int cli_roster_load(const struct cli_roster_args *a, porch_roster **out);

/* Encodes and writes the roster atomically, then updates the state file if given. */
int cli_roster_save(const porch_roster *r, const char *path, const char *state);

/* Records r's head in the state file (atomically). */
int cli_state_save(const char *state, const porch_roster *r);

/* Fingerprint text of a public identity. */
void cli_fingerprint(const porch_device_public *pub, char out[PORCH_FINGERPRINT_STR_BYTES]);

/* ---- streamed atomic output (outfile.c) ---- */

struct cli_out {
    int fd;                /* -1 when closed */
    char *tmp;             /* temporary path, malloc()ed */
    const char *path;      /* final path */
    mode_t mode;
    uint64_t bytes;        /* written so far */
};

int cli_out_open(struct cli_out *o, const char *path, mode_t mode);
/* Returns a porch error code (PORCH_ERR_IO with errno). */
int cli_out_write(struct cli_out *o, const uint8_t *data, size_t len);
/* fsync, rename into place, fsync the directory. */
int cli_out_commit(struct cli_out *o);
/* Removes the temporary file; safe after commit and on a closed struct. */
void cli_out_abort(struct cli_out *o);

/* ---- sealed clips (clipwalk.c) ---- */

struct cli_clip {
    const char *path;
    uint8_t *bytes;        /* the whole clip, malloc()ed */
    size_t len;
    porch_clip_info info;
    uint32_t n_records;
};

/* Reads the clip, verifies its header, checks it against the roster and
 * checks the framing of every record. */
int cli_clip_load(struct cli_clip *c, const char *path, const porch_roster *r);
void cli_clip_free(struct cli_clip *c);

struct cli_walk {
    struct cli_out *out;   /* receives INIT and MEDIA payloads; NULL: discard */
    uint32_t records;
    uint32_t media;
    uint64_t plain_bytes;  /* INIT + MEDIA payload bytes */
    porch_clip_meta *meta; /* the last META record, decoded; porch_meta_free() */
};

/* Unwraps the content key for dev and opens every record into w. */
int cli_clip_open(const struct cli_clip *c, const porch_device_secret *dev,
                  struct cli_walk *w);
/* The same with a key already opened (from a wrap or a share). */
int cli_clip_open_key(const struct cli_clip *c, const porch_clip_key *key, struct cli_walk *w);

/* ---- JSON (json.c) ---- */

/* The clip's public fields and its metadata as a JSON object.
 * Ownership: *out malloc()ed, released by the caller with free(). */
int cli_meta_json(const porch_clip_info *info, const porch_clip_meta *meta, char **out,
                  size_t *out_len);

/* ---- verbs ---- */

int cmd_keygen(int argc, char **argv);
int cmd_fingerprint(int argc, char **argv);
int cmd_roster(int argc, char **argv);
/* `roster show` (verify_only 0) and `roster verify` (1), in cmd_roster_show.c */
int cmd_roster_show(int argc, char **argv, int verify_only);
int cmd_seal(int argc, char **argv);
int cmd_open(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_pair(int argc, char **argv);
int cmd_push_roster(int argc, char **argv);
int cmd_clips(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_grant(int argc, char **argv);
int cmd_revoke(int argc, char **argv);
int cmd_notices(int argc, char **argv);
int cmd_audit(int argc, char **argv);

#endif

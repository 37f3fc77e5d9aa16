/*
 * store_sqlite.c: the embedded metadata store (SQLite, WAL, group commit).
 *
 * One connection guarded by one mutex: every operation is a short
 * transaction, and SQLite serialises writers anyway. Statements are prepared
 * once (persistent) and only ever bound, never formatted. The schema carries
 * a version in PRAGMA user_version; an older store is migrated one version
 * at a time, each step one transaction; a newer (or unknown) version is
 * refused rather than guessed at.
 *
 * Group commit: SQLite runs with synchronous=NORMAL, so a commit only
 * write()s its WAL frames; every write operation then waits, outside the
 * lock, in durable() until an fdatasync() of the WAL that started after its
 * commit has returned. One thread syncs at a time and each sync covers every
 * commit before it, so N concurrent writers (readers appending access-log
 * entries, hubs finishing uploads) share one device flush instead of paying
 * N, and no operation returns (no PATCH is acknowledged, no clip byte is
 * served) before its rows are on disk. A checkpoint syncs the WAL before it
 * copies frames into the database (SQLite does that at NORMAL too). secure_delete is on, so deleted rows are zeroed in the file.
 *
 * The access log lives here too: log_entries holds each 74-byte entry and
 * its leaf hash; log_nodes caches the hash of every complete, aligned subtree
 * [lo, lo + 2^level), written in the same transaction as the leaf that
 * completes it, so roots and proofs cost O(log n) reads (docs/LOG.md).
 */
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/store.h"

#define SCHEMA_VERSION 2
#define SCHEMA_VERSION_SQL "PRAGMA user_version = 2;"

enum {
    S_HH_INSERT, S_HH_GET, S_HH_REPLACE,
    S_TOK_PUT, S_TOK_GET, S_TOK_SWEEP,
    S_UP_GET, S_UP_PUT, S_UP_DEL, S_USAGE_CLIPS, S_USAGE_UPLOADS,
    S_CLIP_INSERT, S_REC_INSERT, S_CLIP_GET, S_REC_GET, S_CLIP_LIST, S_CLIP_DEL, S_REC_DEL,
    S_NOTICE_MAX, S_NOTICE_PUT, S_NOTICE_LIST, S_NOTICE_BY_ID,
    S_LOG_SIZE, S_LOG_PUT, S_LOG_LEAF, S_LOG_ENTRY, S_NODE_PUT, S_NODE_GET,
    S_GRANT_PUT, S_SHARE_PUT, S_GRANT_LIST, S_GRANT_REVOKE, S_SHARE_DEL_GRANT, S_SHARE_GET,
    S_SHARE_SWEEP, S_SHARE_DEL_CLIP,
    S_BEGIN, S_COMMIT, S_ROLLBACK,
    S_COUNT
};

static const char *const sql_text[S_COUNT] = {
    [S_HH_INSERT] = "INSERT INTO households(id, owner, roster, head_seq, head_hash) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_HH_GET] = "SELECT owner, roster, head_seq, head_hash FROM households WHERE id = ?1",
    [S_HH_REPLACE] = "UPDATE households SET roster = ?2, head_seq = ?3, head_hash = ?4 "
                     "WHERE id = ?1 AND head_seq = ?5 AND head_hash = ?6",
    [S_TOK_PUT] = "INSERT INTO tokens(th, hh, dev, expires) VALUES (?1, ?2, ?3, ?4)",
    [S_TOK_GET] = "SELECT hh, dev, expires FROM tokens WHERE th = ?1",
    [S_TOK_SWEEP] = "DELETE FROM tokens WHERE expires < ?1",
    [S_UP_GET] = "SELECT off, hub, header_ok, camera, start_us FROM uploads "
                 "WHERE hh = ?1 AND clip = ?2",
    [S_UP_PUT] = "INSERT OR REPLACE INTO uploads(hh, clip, off, hub, header_ok, camera, start_us) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_UP_DEL] = "DELETE FROM uploads WHERE hh = ?1 AND clip = ?2",
    [S_USAGE_CLIPS] = "SELECT COALESCE(SUM(size), 0) FROM clips WHERE hh = ?1",
    [S_USAGE_UPLOADS] = "SELECT COALESCE(SUM(off), 0) FROM uploads WHERE hh = ?1",
    [S_CLIP_INSERT] = "INSERT INTO clips(hh, clip, camera, start_us, size, sha256, records, "
                      "header_len, uploaded_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [S_REC_INSERT] = "INSERT INTO records(hh, clip, idx, off, len) VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_CLIP_GET] = "SELECT camera, start_us, size, sha256, records, header_len, uploaded_us "
                   "FROM clips WHERE hh = ?1 AND clip = ?2",
    [S_REC_GET] = "SELECT off, len FROM records WHERE hh = ?1 AND clip = ?2 AND idx = ?3",
    [S_CLIP_LIST] = "SELECT clip, camera, start_us, size, sha256, records, header_len, "
                    "uploaded_us FROM clips WHERE hh = ?1 AND (?2 IS NULL OR camera = ?2) "
                    "AND start_us >= ?3 AND (?4 = 0 OR start_us < ?4) "
                    "AND (?5 IS NULL OR start_us > ?6 OR (start_us = ?6 AND clip > ?5)) "
                    "ORDER BY start_us, clip LIMIT ?7",
    [S_CLIP_DEL] = "DELETE FROM clips WHERE hh = ?1 AND clip = ?2",
    [S_REC_DEL] = "DELETE FROM records WHERE hh = ?1 AND clip = ?2",
    [S_NOTICE_MAX] = "SELECT COALESCE(MAX(seq), 0) FROM notices WHERE hh = ?1",
    [S_NOTICE_PUT] = "INSERT INTO notices(hh, seq, camera, time_us, clip, data) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [S_NOTICE_BY_ID] = "SELECT seq, data FROM notices WHERE hh = ?1 AND clip = ?2",
    [S_NOTICE_LIST] = "SELECT seq, camera, time_us, clip, data FROM notices "
                      "WHERE hh = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    /* Indices are 0..n-1 without gaps (append-only), so the size is the last
     * index + 1: one seek down the primary key. COUNT(*) read every entry of
     * the household, under the lock, on every append (about 7 ms at 20,000
     * entries: it bounded downloads, each of which appends). */
    [S_LOG_SIZE] = "SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries WHERE hh = ?1",
    [S_LOG_PUT] = "INSERT INTO log_entries(hh, idx, entry, leaf) VALUES (?1, ?2, ?3, ?4)",
    [S_LOG_LEAF] = "SELECT leaf FROM log_entries WHERE hh = ?1 AND idx = ?2",
    [S_LOG_ENTRY] = "SELECT entry FROM log_entries WHERE hh = ?1 AND idx = ?2",
    [S_NODE_PUT] = "INSERT INTO log_nodes(hh, level, lo, hash) VALUES (?1, ?2, ?3, ?4)",
    [S_NODE_GET] = "SELECT hash FROM log_nodes WHERE hh = ?1 AND level = ?2 AND lo = ?3",
    [S_GRANT_PUT] = "INSERT INTO grants(hh, grant, support, expires, revoked, data) "
                    "VALUES (?1, ?2, ?3, ?4, 0, ?5)",
    [S_SHARE_PUT] = "INSERT OR REPLACE INTO shares(hh, grant, clip, data) VALUES (?1, ?2, ?3, ?4)",
    [S_GRANT_LIST] = "SELECT g.grant, g.support, g.expires, g.revoked, g.data, "
                     "(SELECT COUNT(*) FROM shares s WHERE s.hh = g.hh AND s.grant = g.grant) "
                     "FROM grants g WHERE g.hh = ?1 AND (?2 IS NULL OR g.support = ?2) "
                     "ORDER BY g.expires, g.grant",
    [S_GRANT_REVOKE] = "UPDATE grants SET revoked = 1 WHERE hh = ?1 AND grant = ?2",
    [S_SHARE_DEL_GRANT] = "DELETE FROM shares WHERE hh = ?1 AND grant = ?2",
    [S_SHARE_GET] = "SELECT s.grant, s.data FROM shares s JOIN grants g ON g.hh = s.hh AND "
                    "g.grant = s.grant WHERE s.hh = ?1 AND s.clip = ?2 AND g.support = ?3 AND "
                    "g.revoked = 0 AND g.expires > ?4 ORDER BY g.expires DESC LIMIT 1",
    [S_SHARE_SWEEP] = "DELETE FROM shares WHERE EXISTS (SELECT 1 FROM grants g WHERE "
                      "g.hh = shares.hh AND g.grant = shares.grant AND g.expires <= ?1)",
    [S_SHARE_DEL_CLIP] = "DELETE FROM shares WHERE hh = ?1 AND clip = ?2",
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
};

static const char schema_sql[] =
    "CREATE TABLE households(id BLOB PRIMARY KEY, owner BLOB NOT NULL, roster BLOB NOT NULL,"
    " head_seq INTEGER NOT NULL, head_hash BLOB NOT NULL);"
    "CREATE TABLE tokens(th BLOB PRIMARY KEY, hh BLOB NOT NULL, dev BLOB NOT NULL,"
    " expires INTEGER NOT NULL);"
    "CREATE TABLE uploads(hh BLOB, clip BLOB, off INTEGER NOT NULL, hub BLOB NOT NULL,"
    " header_ok INTEGER NOT NULL, camera TEXT NOT NULL, start_us INTEGER NOT NULL,"
    " PRIMARY KEY(hh, clip)) WITHOUT ROWID;"
    "CREATE TABLE clips(hh BLOB, clip BLOB, camera TEXT NOT NULL, start_us INTEGER NOT NULL,"
    " size INTEGER NOT NULL, sha256 BLOB NOT NULL, records INTEGER NOT NULL,"
    " header_len INTEGER NOT NULL, uploaded_us INTEGER NOT NULL,"
    " PRIMARY KEY(hh, clip)) WITHOUT ROWID;"
    "CREATE INDEX clips_by_time ON clips(hh, start_us, clip);"
    "CREATE TABLE records(hh BLOB, clip BLOB, idx INTEGER, off INTEGER NOT NULL,"
    " len INTEGER NOT NULL, PRIMARY KEY(hh, clip, idx)) WITHOUT ROWID;"
    "CREATE TABLE notices(hh BLOB, seq INTEGER, camera TEXT NOT NULL, time_us INTEGER NOT NULL,"
    " clip BLOB NOT NULL, data BLOB NOT NULL, PRIMARY KEY(hh, seq)) WITHOUT ROWID;"
    "CREATE INDEX notices_by_id ON notices(hh, clip);"
    "CREATE TABLE log_entries(hh BLOB, idx INTEGER, entry BLOB NOT NULL, leaf BLOB NOT NULL,"
    " PRIMARY KEY(hh, idx)) WITHOUT ROWID;"
    "CREATE TABLE log_nodes(hh BLOB, level INTEGER, lo INTEGER, hash BLOB NOT NULL,"
    " PRIMARY KEY(hh, level, lo)) WITHOUT ROWID;"
    "CREATE TABLE grants(hh BLOB, grant BLOB, support BLOB NOT NULL, expires INTEGER NOT NULL,"
    " revoked INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(hh, grant)) WITHOUT ROWID;"
    "CREATE TABLE shares(hh BLOB, grant BLOB, clip BLOB, data BLOB NOT NULL,"
    " PRIMARY KEY(hh, grant, clip)) WITHOUT ROWID;"
    "CREATE INDEX shares_by_clip ON shares(hh, clip);" SCHEMA_VERSION_SQL;

/* Each step takes a store of version N to N + 1, inside one transaction.
 * 1 -> 2: notices looked up by clip (the repeated-notice check) got an index. */
static const char *const migrations[SCHEMA_VERSION] = {
    [1] = "CREATE INDEX IF NOT EXISTS notices_by_id ON notices(hh, clip);",
};

struct sq_meta {
    porch_srv_meta base;        /* first: the public handle */
    sqlite3 *db;
    sqlite3_stmt *st[S_COUNT];
    pthread_mutex_t lock;       /* one operation (and transaction) at a time */
    int wal_fd;                 /* DB-wal, opened read-only for fdatasync */
    _Atomic uint64_t written;   /* write operations finished (their frames written) */
    pthread_mutex_t sync_lock;  /* guards synced, syncing; with sync_cond */
    pthread_cond_t sync_cond;
    uint64_t synced;            /* every write up to this count is on disk */
    int syncing;                /* a thread is in fdatasync (the others wait) */
};

struct sq_logview {
    porch_log_store base;
    struct sq_meta *m;
    uint8_t hh[PORCH_SRV_HH];
};

static sqlite3_stmt *stmt(struct sq_meta *m, int id)
{
    sqlite3_stmt *s = m->st[id];

    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return s;
}

static void bind_blob(sqlite3_stmt *s, int i, const void *p, size_t n)
{
    sqlite3_bind_blob64(s, i, p, n, SQLITE_STATIC);
}

static void bind_u64(sqlite3_stmt *s, int i, uint64_t v)
{
    sqlite3_bind_int64(s, i, (sqlite3_int64)v);
}

static uint64_t col_u64(sqlite3_stmt *s, int i)
{
    return (uint64_t)sqlite3_column_int64(s, i);
}

/* Copies exactly n bytes of a blob column; PORCH_ERR_STORE if its size differs. */
static int col_copy(sqlite3_stmt *s, int i, void *out, size_t n)
{
    if ((size_t)sqlite3_column_bytes(s, i) != n)
        return PORCH_ERR_STORE;
    if (n)
        memcpy(out, sqlite3_column_blob(s, i), n);
    return PORCH_OK;
}

static void col_text(sqlite3_stmt *s, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    size_t n = t ? strlen((const char *)t) : 0;

    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(out, t, n);
    out[n] = 0;
}

/* Runs a statement that returns no row. */
static int run(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);

    if (rc == SQLITE_DONE)
        return PORCH_OK;
    return rc == SQLITE_CONSTRAINT ? PORCH_ERR_EXISTS : PORCH_ERR_STORE;
}

/* Steps to the first row: PORCH_OK, PORCH_ERR_NOT_FOUND, or PORCH_ERR_STORE. */
static int row(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);

    if (rc == SQLITE_ROW)
        return PORCH_OK;
    return rc == SQLITE_DONE ? PORCH_ERR_NOT_FOUND : PORCH_ERR_STORE;
}

static int begin(struct sq_meta *m)
{
    return run(stmt(m, S_BEGIN));
}

/* Commits on PORCH_OK, else rolls back; returns ret (or the commit error). */
static int finish(struct sq_meta *m, int ret)
{
    if (ret == PORCH_OK && (ret = run(stmt(m, S_COMMIT))) == PORCH_OK)
        return PORCH_OK;
    run(stmt(m, S_ROLLBACK));
    return ret;
}

#define M(p) ((struct sq_meta *)(p))
#define LOCK(m) pthread_mutex_lock(&M(m)->lock)
#define UNLOCK(m) pthread_mutex_unlock(&M(m)->lock)

/* One fdatasync of the WAL on behalf of everyone written by now. Called with
 * sync_lock held and syncing set; drops the lock around the sync. */
static int sync_round(struct sq_meta *m)
{
    uint64_t upto = atomic_load(&m->written);   /* all of these wrote before the sync */
    int ok;

    pthread_mutex_unlock(&m->sync_lock);
    ok = fdatasync(m->wal_fd) == 0;
    pthread_mutex_lock(&m->sync_lock);
    if (ok && upto > m->synced)
        m->synced = upto;
    return ok ? PORCH_OK : PORCH_ERR_STORE;
}

/* After a write operation (outside the lock): returns once its commit is
 * durable, or ret unchanged when it failed (nothing to wait for). */
static int durable(struct sq_meta *m, int ret)
{
    uint64_t mine;

    if (ret != PORCH_OK)
        return ret;
    mine = atomic_fetch_add(&m->written, 1) + 1;
    pthread_mutex_lock(&m->sync_lock);
    while (ret == PORCH_OK && m->synced < mine) {
        if (m->syncing) {
            pthread_cond_wait(&m->sync_cond, &m->sync_lock);
            continue;
        }
        m->syncing = 1;
        ret = sync_round(m);
        m->syncing = 0;
        pthread_cond_broadcast(&m->sync_cond);
    }
    pthread_mutex_unlock(&m->sync_lock);
    return ret;
}

static int hh_create(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH],
                     const uint8_t owner[PORCH_SIGN_PK_BYTES], const uint8_t *roster, size_t len,
                     const porch_roster_head *head)
{
    sqlite3_stmt *s;
    int ret;

    LOCK(pm);
    s = stmt(M(pm), S_HH_INSERT);
    bind_blob(s, 1, hh, PORCH_SRV_HH);
    bind_blob(s, 2, owner, PORCH_SIGN_PK_BYTES);
    bind_blob(s, 3, roster, len);
    bind_u64(s, 4, head->seq);
    bind_blob(s, 5, head->hash, PORCH_HASH_BYTES);
    ret = run(s);
    sqlite3_reset(s);
    UNLOCK(pm);
    return durable(M(pm), ret);
}

static int hh_get(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH],
                  uint8_t owner[PORCH_SIGN_PK_BYTES], porch_roster_head *head, uint8_t **roster,
                  size_t *len)
{
    sqlite3_stmt *s;
    int ret;

    *roster = NULL;
    *len = 0;
    LOCK(pm);
    s = stmt(M(pm), S_HH_GET);
    bind_blob(s, 1, hh, PORCH_SRV_HH);
    if ((ret = row(s)) != PORCH_OK)
        goto out;
    if ((ret = col_copy(s, 0, owner, PORCH_SIGN_PK_BYTES)) != PORCH_OK ||
        (ret = col_copy(s, 3, head->hash, PORCH_HASH_BYTES)) != PORCH_OK)
        goto out;
    head->seq = col_u64(s, 2);
    *len = (size_t)sqlite3_column_bytes(s, 1);
    ret = PORCH_ERR_NOMEM;
    if (!(*roster = malloc(*len ? *len : 1)))
        goto out;
    memcpy(*roster, sqlite3_column_blob(s, 1), *len);
    ret = PORCH_OK;
out:
    sqlite3_reset(s);
    UNLOCK(pm);
    return ret;
}

static int hh_replace(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH],
                      const porch_roster_head *old, const porch_roster_head *head,
                      const uint8_t *roster, size_t len)
{
    sqlite3_stmt *s;
    int ret;

    LOCK(pm);
    s = stmt(M(pm), S_HH_REPLACE);
    bind_blob(s, 1, hh, PORCH_SRV_HH);
    bind_blob(s, 2, roster, len);
    bind_u64(s, 3, head->seq);
    bind_blob(s, 4, head->hash, PORCH_HASH_BYTES);
    bind_u64(s, 5, old->seq);
    bind_blob(s, 6, old->hash, PORCH_HASH_BYTES);
    ret = run(s);
    if (ret == PORCH_OK && sqlite3_changes(M(pm)->db) != 1)
        ret = PORCH_ERR_EXISTS;   /* someone replaced it first */
    sqlite3_reset(s);
    UNLOCK(pm);
    return durable(M(pm), ret);
}

static int tok_put(porch_srv_meta *pm, const uint8_t th[32], const uint8_t hh[PORCH_SRV_HH],
                   const uint8_t dev[PORCH_SIGN_PK_BYTES], uint64_t expires_us)
{
    sqlite3_stmt *s;
    int ret;

    LOCK(pm);
    s = stmt(M(pm), S_TOK_PUT);
    bind_blob(s, 1, th, 32);
    bind_blob(s, 2, hh, PORCH_SRV_HH);
    bind_blob(s, 3, dev, PORCH_SIGN_PK_BYTES);
    bind_u64(s, 4, expires_us);
    ret = run(s);
    sqlite3_reset(s);
    UNLOCK(pm);
    return durable(M(pm), ret);
}

static int tok_get(porch_srv_meta *pm, const uint8_t th[32], uint8_t hh[PORCH_SRV_HH],
                   uint8_t dev[PORCH_SIGN_PK_BYTES], uint64_t *expires_us)
{
    sqlite3_stmt *s;
    int ret;

    LOCK(pm);
    s = stmt(M(pm), S_TOK_GET);
    bind_blob(s, 1, th, 32);
    if ((ret = row(s)) == PORCH_OK && (ret = col_copy(s, 0, hh, PORCH_SRV_HH)) == PORCH_OK)
        ret = col_copy(s, 1, dev, PORCH_SIGN_PK_BYTES);
    if (ret == PORCH_OK)
        *expires_us = col_u64(s, 2);
    sqlite3_reset(s);
    UNLOCK(pm);
    return ret;
}

static int tok_sweep(porch_srv_meta *pm, uint64_t now_us)
{
    sqlite3_stmt *s;
    int ret;

    LOCK(pm);
    s = stmt(M(pm), S_TOK_SWEEP);
    bind_u64(s, 1, now_us);
    ret = run(s);
    sqlite3_reset(s);
    UNLOCK(pm);
    return durable(M(pm), ret);
}

static void bind_key(sqlite3_stmt *s, const uint8_t *hh, const uint8_t *clip)
{
    bind_blob(s, 1, hh, PORCH_SRV_HH);
    bind_blob(s, 2, clip, PORCH_SRV_CLIP);
}

static int up_get(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH],
                  const uint8_t clip[PORCH_SRV_CLIP], porch_srv_upload *out)
{
    sqlite3_stmt *s;
    int ret;

    memset(out, 0, sizeof *out);
    LOCK(pm);
    s = stmt(M(pm), S_UP_GET);
    bind_key(s, hh, clip);
    if ((ret = row(s)) == PORCH_OK)
        ret = col_copy(s, 1, out->hub_pk, PORCH_SIGN_PK_BYTES);
    if (ret == PORCH_OK) {
        out->offset = col_u64(s, 0);
        out->header_ok = sqlite3_column_int(s, 2);
        col_text(s, 3, out->camera, sizeof out->camera);
        out->start_us = col_u64(s, 4);
    }
    sqlite3_reset(s);
    UNLOCK(pm);
    return ret;
}

static int up_put(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH],
                  const uint8_t clip[PORCH_SRV_CLIP], const porch_srv_upload *u)
{
    sqlite3_stmt *s;
    int ret;

    LOCK(pm);
    s = stmt(M(pm), S_UP_PUT);
    bind_key(s, hh, clip);
    bind_u64(s, 3, u->offset);
    bind_blob(s, 4, u->hub_pk, PORCH_SIGN_PK_BYTES);
    sqlite3_bind_int(s, 5, u->header_ok ? 1 : 0);
    sqlite3_bind_text(s, 6, u->camera, -1, SQLITE_STATIC);
    bind_u64(s, 7, u->start_us);
    ret = run(s);
    sqlite3_reset(s);
    UNLOCK(pm);
    return durable(M(pm), ret);
}

static int up_del(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH],
                  const uint8_t clip[PORCH_SRV_CLIP])
{
    sqlite3_stmt *s;
    int ret;

    LOCK(pm);
    s = stmt(M(pm), S_UP_DEL);
    bind_key(s, hh, clip);
    ret = run(s);
    sqlite3_reset(s);
    UNLOCK(pm);
    return durable(M(pm), ret);
}

static int sum_of(struct sq_meta *m, int id, const uint8_t *hh, uint64_t *out)
{
    sqlite3_stmt *s = stmt(m, id);
    int ret;

    bind_blob(s, 1, hh, PORCH_SRV_HH);
    if ((ret = row(s)) == PORCH_OK)
        *out = col_u64(s, 0);
    sqlite3_reset(s);
    return ret;
}

static int usage(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH], uint64_t *bytes)
{
    uint64_t a = 0, b = 0;
    int ret;

    *bytes = 0;
    LOCK(pm);
    if ((ret = sum_of(M(pm), S_USAGE_CLIPS, hh, &a)) == PORCH_OK)
        ret = sum_of(M(pm), S_USAGE_UPLOADS, hh, &b);
    UNLOCK(pm);
    *bytes = a + b;
    return ret;
}

static int insert_records(struct sq_meta *m, const porch_srv_clip *c, const uint64_t *off,
                          const uint32_t *len)
{
    int ret = PORCH_OK;

    for (uint32_t i = 0; i < c->records && ret == PORCH_OK; i++) {
        sqlite3_stmt *s = stmt(m, S_REC_INSERT);
        bind_key(s, c->household, c->clip);
        bind_u64(s, 3, i);
        bind_u64(s, 4, off[i]);
        bind_u64(s, 5, len[i]);
        ret = run(s);
        sqlite3_reset(s);
    }
    return ret;
}

static int clip_commit(porch_srv_meta *pm, const porch_srv_clip *c, const uint64_t *rec_off,
                       const uint32_t *rec_len)
{
    struct sq_meta *m = M(pm);
    sqlite3_stmt *s;
    int ret;

    LOCK(pm);
    if ((ret = begin(m)) != PORCH_OK)
        goto out;
    s = stmt(m, S_CLIP_INSERT);
    bind_key(s, c->household, c->clip);
    sqlite3_bind_text(s, 3, c->camera, -1, SQLITE_STATIC);
    bind_u64(s, 4, c->start_us);
    bind_u64(s, 5, c->size);
    bind_blob(s, 6, c->sha256, 32);
    bind_u64(s, 7, c->records);
    bind_u64(s, 8, c->header_len);
    bind_u64(s, 9, c->uploaded_us);
    ret = run(s);
    sqlite3_reset(s);
    if (ret == PORCH_OK)
        ret = insert_records(m, c, rec_off, rec_len);
    if (ret == PORCH_OK) {
        s = stmt(m, S_UP_DEL);
        bind_key(s, c->household, c->clip);
        ret = run(s);
        sqlite3_reset(s);
    }
    ret = finish(m, ret);
out:
    UNLOCK(pm);
    return durable(M(pm), ret);
}

/* Row columns from offset base: camera, start, size, sha, records, header_len, uploaded. */
static int read_clip_row(sqlite3_stmt *s, int base, porch_srv_clip *out)
{
    col_text(s, base, out->camera, sizeof out->camera);
    out->start_us = col_u64(s, base + 1);
    out->size = col_u64(s, base + 2);
    out->records = (uint32_t)col_u64(s, base + 4);
    out->header_len = (uint32_t)col_u64(s, base + 5);
    out->uploaded_us = col_u64(s, base + 6);
    return col_copy(s, base + 3, out->sha256, 32);
}

static int clip_get(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH],
                    const uint8_t clip[PORCH_SRV_CLIP], porch_srv_clip *out)
{
    sqlite3_stmt *s;
    int ret;

    memset(out, 0, sizeof *out);
    memcpy(out->household, hh, PORCH_SRV_HH);
    memcpy(out->clip, clip, PORCH_SRV_CLIP);
    LOCK(pm);
    s = stmt(M(pm), S_CLIP_GET);
    bind_key(s, hh, clip);
    if ((ret = row(s)) == PORCH_OK)
        ret = read_clip_row(s, 0, out);
    sqlite3_reset(s);
    UNLOCK(pm);
    return ret;
}

static int clip_record(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH],
                       const uint8_t clip[PORCH_SRV_CLIP], uint32_t index, uint64_t *off,
                       uint32_t *len)
{
    sqlite3_stmt *s;
    int ret;

    LOCK(pm);
    s = stmt(M(pm), S_REC_GET);
    bind_key(s, hh, clip);
    bind_u64(s, 3, index);
    if ((ret = row(s)) == PORCH_OK) {
        *off = col_u64(s, 0);
        *len = (uint32_t)col_u64(s, 1);
    }
    sqlite3_reset(s);
    UNLOCK(pm);
    return ret;
}

static int clip_list(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH],
                     const porch_srv_clip_query *q, porch_srv_clip_fn fn, void *ctx)
{
    porch_srv_clip c;
    sqlite3_stmt *s;
    int ret, rc;

    LOCK(pm);
    s = stmt(M(pm), S_CLIP_LIST);
    bind_blob(s, 1, hh, PORCH_SRV_HH);
    if (q->camera)
        sqlite3_bind_text(s, 2, q->camera, -1, SQLITE_STATIC);
    bind_u64(s, 3, q->from_us);
    bind_u64(s, 4, q->to_us);
    if (q->after)
        bind_blob(s, 5, q->after, PORCH_SRV_CLIP);
    bind_u64(s, 6, q->after_start_us);
    bind_u64(s, 7, q->limit);
    ret = PORCH_OK;
    while (ret == PORCH_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        memset(&c, 0, sizeof c);
        memcpy(c.household, hh, PORCH_SRV_HH);
        if ((ret = col_copy(s, 0, c.clip, PORCH_SRV_CLIP)) == PORCH_OK &&
            (ret = read_clip_row(s, 1, &c)) == PORCH_OK)
            ret = fn(ctx, &c);
    }
    if (ret == PORCH_OK && rc != SQLITE_DONE)
        ret = PORCH_ERR_STORE;
    sqlite3_reset(s);
    UNLOCK(pm);
    return ret > 0 ? PORCH_OK : ret;
}

static int clip_delete(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH],
                       const uint8_t clip[PORCH_SRV_CLIP])
{
    struct sq_meta *m = M(pm);
    sqlite3_stmt *s;
    int ret;

    LOCK(pm);
    if ((ret = begin(m)) != PORCH_OK)
        goto out;
    s = stmt(m, S_CLIP_DEL);
    bind_key(s, hh, clip);
    ret = run(s);
    if (ret == PORCH_OK && sqlite3_changes(m->db) != 1)
        ret = PORCH_ERR_NOT_FOUND;
    sqlite3_reset(s);
    if (ret == PORCH_OK) {
        s = stmt(m, S_REC_DEL);
        bind_key(s, hh, clip);
        ret = run(s);
        sqlite3_reset(s);
    }
    if (ret == PORCH_OK) {
        s = stmt(m, S_SHARE_DEL_CLIP);
        bind_key(s, hh, clip);
        ret = run(s);
        sqlite3_reset(s);
    }
    ret = finish(m, ret);
out:
    UNLOCK(pm);
    return durable(M(pm), ret);
}

/* A notice id the household already holds: EXISTS (same bytes: a retry)
 * with its seq, or CONFLICT (other bytes); NOT_FOUND when it is new. */
static int notice_known(struct sq_meta *m, const uint8_t hh[PORCH_SRV_HH],
                        const porch_srv_notice *n, uint64_t *seq)
{
    sqlite3_stmt *s = stmt(m, S_NOTICE_BY_ID);
    int ret;

    bind_key(s, hh, n->clip);
    if ((ret = row(s)) == PORCH_OK) {
        *seq = col_u64(s, 0);
        ret = (size_t)sqlite3_column_bytes(s, 1) == n->len &&
                      !memcmp(sqlite3_column_blob(s, 1), n->data, n->len)
                  ? PORCH_ERR_EXISTS
                  : PORCH_ERR_CONFLICT;
    }
    sqlite3_reset(s);
    return ret;
}

static int notice_put(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH],
                      const porch_srv_notice *n, uint64_t *seq)
{
    struct sq_meta *m = M(pm);
    uint64_t last = 0;
    sqlite3_stmt *s;
    int ret, known;

    LOCK(pm);
    if ((ret = begin(m)) != PORCH_OK)
        goto out;
    known = notice_known(m, hh, n, seq);
    ret = known == PORCH_ERR_NOT_FOUND ? sum_of(m, S_NOTICE_MAX, hh, &last) : known;
    if (ret == PORCH_OK) {
        s = stmt(m, S_NOTICE_PUT);
        bind_blob(s, 1, hh, PORCH_SRV_HH);
        bind_u64(s, 2, last + 1);
        sqlite3_bind_text(s, 3, n->camera, -1, SQLITE_STATIC);
        bind_u64(s, 4, n->time_us);
        bind_blob(s, 5, n->clip, PORCH_SRV_CLIP);
        bind_blob(s, 6, n->data, n->len);
        ret = run(s);
        sqlite3_reset(s);
    }
    if ((ret = finish(m, ret)) == PORCH_OK)
        *seq = last + 1;
out:
    UNLOCK(pm);
    return durable(M(pm), ret);
}

static int notice_row(sqlite3_stmt *s, porch_srv_notice *n)
{
    memset(n, 0, sizeof *n);
    n->seq = col_u64(s, 0);
    col_text(s, 1, n->camera, sizeof n->camera);
    n->time_us = col_u64(s, 2);
    if (col_copy(s, 3, n->clip, PORCH_SRV_CLIP) != PORCH_OK)
        return PORCH_ERR_STORE;
    n->len = (size_t)sqlite3_column_bytes(s, 4);
    if (!(n->data = malloc(n->len ? n->len : 1)))
        return PORCH_ERR_NOMEM;
    memcpy(n->data, sqlite3_column_blob(s, 4), n->len);
    return PORCH_OK;
}

static int notice_list(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH], uint64_t after,
                       porch_srv_notice *out, size_t cap, size_t *n)
{
    sqlite3_stmt *s;
    int ret = PORCH_OK, rc;

    *n = 0;
    LOCK(pm);
    s = stmt(M(pm), S_NOTICE_LIST);
    bind_blob(s, 1, hh, PORCH_SRV_HH);
    bind_u64(s, 2, after);
    bind_u64(s, 3, cap);
    while (ret == PORCH_OK && *n < cap && (rc = sqlite3_step(s)) == SQLITE_ROW)
        if ((ret = notice_row(s, &out[*n])) == PORCH_OK)
            (*n)++;
    sqlite3_reset(s);
    UNLOCK(pm);
    return ret;
}

/* ---- grants and shares ---- */

static int grant_put(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH], const porch_srv_grant *g,
                     const porch_srv_share *sh, size_t n)
{
    struct sq_meta *m = M(pm);
    sqlite3_stmt *s;
    int ret;

    LOCK(pm);
    if ((ret = begin(m)) != PORCH_OK)
        goto out;
    s = stmt(m, S_GRANT_PUT);
    bind_blob(s, 1, hh, PORCH_SRV_HH);
    bind_blob(s, 2, g->grant, 16);
    bind_blob(s, 3, g->support_pk, PORCH_SIGN_PK_BYTES);
    bind_u64(s, 4, g->expires_us);
    bind_blob(s, 5, g->data, g->len);
    ret = run(s);
    sqlite3_reset(s);
    for (size_t i = 0; i < n && ret == PORCH_OK; i++) {
        s = stmt(m, S_SHARE_PUT);
        bind_blob(s, 1, hh, PORCH_SRV_HH);
        bind_blob(s, 2, g->grant, 16);
        bind_blob(s, 3, sh[i].clip, PORCH_SRV_CLIP);
        bind_blob(s, 4, sh[i].data, sh[i].len);
        ret = run(s);
        sqlite3_reset(s);
    }
    ret = finish(m, ret);
out:
    UNLOCK(pm);
    return durable(M(pm), ret);
}

static int grant_list(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH], const uint8_t *support,
                      porch_srv_grant_fn fn, void *ctx)
{
    porch_srv_grant g;
    sqlite3_stmt *s;
    int ret = PORCH_OK, rc;

    LOCK(pm);
    s = stmt(M(pm), S_GRANT_LIST);
    bind_blob(s, 1, hh, PORCH_SRV_HH);
    if (support)
        bind_blob(s, 2, support, PORCH_SIGN_PK_BYTES);
    while (ret == PORCH_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        memset(&g, 0, sizeof g);
        if ((ret = col_copy(s, 0, g.grant, 16)) != PORCH_OK ||
            (ret = col_copy(s, 1, g.support_pk, PORCH_SIGN_PK_BYTES)) != PORCH_OK)
            break;
        g.expires_us = col_u64(s, 2);
        g.revoked = sqlite3_column_int(s, 3);
        g.data = (uint8_t *)sqlite3_column_blob(s, 4);
        g.len = (size_t)sqlite3_column_bytes(s, 4);
        g.n_shares = (uint32_t)col_u64(s, 5);
        ret = fn(ctx, &g);
    }
    sqlite3_reset(s);
    UNLOCK(pm);
    return ret > 0 ? PORCH_OK : ret;
}

static int grant_revoke(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH], const uint8_t g[16])
{
    struct sq_meta *m = M(pm);
    sqlite3_stmt *s;
    int ret;

    LOCK(pm);
    if ((ret = begin(m)) != PORCH_OK)
        goto out;
    s = stmt(m, S_GRANT_REVOKE);
    bind_blob(s, 1, hh, PORCH_SRV_HH);
    bind_blob(s, 2, g, 16);
    ret = run(s);
    if (ret == PORCH_OK && sqlite3_changes(m->db) != 1)
        ret = PORCH_ERR_NOT_FOUND;
    sqlite3_reset(s);
    if (ret == PORCH_OK) {
        s = stmt(m, S_SHARE_DEL_GRANT);
        bind_blob(s, 1, hh, PORCH_SRV_HH);
        bind_blob(s, 2, g, 16);
        ret = run(s);
        sqlite3_reset(s);
    }
    ret = finish(m, ret);
out:
    UNLOCK(pm);
    return durable(M(pm), ret);
}

static int share_get(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH],
                     const uint8_t clip[PORCH_SRV_CLIP], const uint8_t support[PORCH_SIGN_PK_BYTES],
                     uint64_t now_us, uint8_t grant[16], uint8_t **data, size_t *len)
{
    sqlite3_stmt *s;
    int ret;

    *data = NULL;
    *len = 0;
    LOCK(pm);
    s = stmt(M(pm), S_SHARE_GET);
    bind_key(s, hh, clip);
    bind_blob(s, 3, support, PORCH_SIGN_PK_BYTES);
    bind_u64(s, 4, now_us);
    if ((ret = row(s)) == PORCH_OK && (ret = col_copy(s, 0, grant, 16)) == PORCH_OK) {
        *len = (size_t)sqlite3_column_bytes(s, 1);
        if (!(*data = malloc(*len ? *len : 1)))
            ret = PORCH_ERR_NOMEM;
        else
            memcpy(*data, sqlite3_column_blob(s, 1), *len);
    }
    sqlite3_reset(s);
    UNLOCK(pm);
    return ret;
}

static int share_sweep(porch_srv_meta *pm, uint64_t now_us)
{
    sqlite3_stmt *s;
    int ret;

    LOCK(pm);
    s = stmt(M(pm), S_SHARE_SWEEP);
    bind_u64(s, 1, now_us);
    ret = run(s);
    sqlite3_reset(s);
    UNLOCK(pm);
    return durable(M(pm), ret);
}

/* ---- access log ---- */

static int log_size_locked(struct sq_meta *m, const uint8_t *hh, uint64_t *n)
{
    return sum_of(m, S_LOG_SIZE, hh, n);
}

/*
 * Hash of the perfect subtree [lo, lo + 2^level): a leaf or a cached node.
 * A node missing from the cache (a restored or hand-edited database) is
 * recomputed from its children, so the cache only ever costs time, never
 * correctness: proofs always follow the leaves actually stored.
 */
static int node_locked(struct sq_meta *m, const uint8_t *hh, unsigned level, uint64_t lo,
                       uint8_t out[PORCH_LOG_HASH_BYTES])
{
    sqlite3_stmt *s = stmt(m, level ? S_NODE_GET : S_LOG_LEAF);
    uint8_t l[PORCH_LOG_HASH_BYTES], r[PORCH_LOG_HASH_BYTES];
    int ret;

    bind_blob(s, 1, hh, PORCH_SRV_HH);
    if (level) {
        bind_u64(s, 2, level);
        bind_u64(s, 3, lo);
    } else {
        bind_u64(s, 2, lo);
    }
    if ((ret = row(s)) == PORCH_OK)
        ret = col_copy(s, 0, out, PORCH_LOG_HASH_BYTES);
    sqlite3_reset(s);
    if (ret != PORCH_ERR_NOT_FOUND || level == 0)
        return ret;
    if ((ret = node_locked(m, hh, level - 1, lo, l)) == PORCH_OK &&
        (ret = node_locked(m, hh, level - 1, lo + (UINT64_C(1) << (level - 1)), r)) == PORCH_OK)
        porch_log_node_hash(out, l, r);
    return ret;
}

static int put_node(struct sq_meta *m, const uint8_t *hh, unsigned level, uint64_t lo,
                    const uint8_t hash[PORCH_LOG_HASH_BYTES])
{
    sqlite3_stmt *s = stmt(m, S_NODE_PUT);
    int ret;

    bind_blob(s, 1, hh, PORCH_SRV_HH);
    bind_u64(s, 2, level);
    bind_u64(s, 3, lo);
    bind_blob(s, 4, hash, PORCH_LOG_HASH_BYTES);
    ret = run(s);
    sqlite3_reset(s);
    return ret;
}

/* After leaf n is in, caches every perfect subtree that ends at n + 1. */
static int cache_nodes(struct sq_meta *m, const uint8_t *hh, uint64_t n)
{
    uint8_t l[PORCH_LOG_HASH_BYTES], r[PORCH_LOG_HASH_BYTES], h[PORCH_LOG_HASH_BYTES];
    int ret = PORCH_OK;

    for (unsigned level = 1; level < 48 && ((n + 1) & ((UINT64_C(1) << level) - 1)) == 0;
         level++) {
        uint64_t lo = n + 1 - (UINT64_C(1) << level), half = UINT64_C(1) << (level - 1);
        if ((ret = node_locked(m, hh, level - 1, lo, l)) != PORCH_OK ||
            (ret = node_locked(m, hh, level - 1, lo + half, r)) != PORCH_OK)
            break;
        porch_log_node_hash(h, l, r);
        if ((ret = put_node(m, hh, level, lo, h)) != PORCH_OK)
            break;
    }
    return ret;
}

static int log_append(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH], const uint8_t *entry,
                      size_t len, uint64_t *index)
{
    struct sq_meta *m = M(pm);
    uint8_t leaf[PORCH_LOG_HASH_BYTES];
    uint64_t n = 0;
    sqlite3_stmt *s;
    int ret;

    porch_log_leaf_hash(leaf, entry, len);
    LOCK(pm);
    if ((ret = begin(m)) != PORCH_OK)
        goto out;
    if ((ret = log_size_locked(m, hh, &n)) == PORCH_OK) {
        s = stmt(m, S_LOG_PUT);
        bind_blob(s, 1, hh, PORCH_SRV_HH);
        bind_u64(s, 2, n);
        bind_blob(s, 3, entry, len);
        bind_blob(s, 4, leaf, sizeof leaf);
        ret = run(s);
        sqlite3_reset(s);
    }
    if (ret == PORCH_OK)
        ret = cache_nodes(m, hh, n);
    if ((ret = finish(m, ret)) == PORCH_OK && index)
        *index = n;
out:
    UNLOCK(pm);
    return durable(M(pm), ret);
}

static int log_entry(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH], uint64_t index,
                     uint8_t entry[PORCH_LOG_ENTRY_BYTES])
{
    sqlite3_stmt *s;
    int ret;

    LOCK(pm);
    s = stmt(M(pm), S_LOG_ENTRY);
    bind_blob(s, 1, hh, PORCH_SRV_HH);
    bind_u64(s, 2, index);
    if ((ret = row(s)) == PORCH_OK)
        ret = col_copy(s, 0, entry, PORCH_LOG_ENTRY_BYTES);
    sqlite3_reset(s);
    UNLOCK(pm);
    return ret;
}

#define V(p) ((struct sq_logview *)(p))

static int view_append(porch_log_store *s, const uint8_t hash[PORCH_LOG_HASH_BYTES])
{
    (void)s;
    (void)hash;
    return PORCH_ERR_UNSUPPORTED;   /* the server appends entries, not bare hashes */
}

static int view_size(const porch_log_store *s, uint64_t *out)
{
    int ret;

    LOCK(V(s)->m);
    ret = log_size_locked(V(s)->m, V(s)->hh, out);
    UNLOCK(V(s)->m);
    return ret;
}

static int view_leaf(const porch_log_store *s, uint64_t index, uint8_t out[PORCH_LOG_HASH_BYTES])
{
    int ret;

    LOCK(V(s)->m);
    ret = node_locked(V(s)->m, V(s)->hh, 0, index, out);
    UNLOCK(V(s)->m);
    return ret == PORCH_ERR_NOT_FOUND ? PORCH_ERR_INVALID_ARG : ret;
}

static int view_subtree(const porch_log_store *s, uint64_t lo, unsigned level,
                        uint8_t out[PORCH_LOG_HASH_BYTES])
{
    int ret;

    LOCK(V(s)->m);
    ret = node_locked(V(s)->m, V(s)->hh, level, lo, out);
    UNLOCK(V(s)->m);
    return ret == PORCH_ERR_NOT_FOUND ? PORCH_ERR_UNSUPPORTED : ret;
}

static void view_destroy(porch_log_store *s)
{
    free(s);
}

static const porch_log_store_ops view_ops = {
    .append_leaf_hash = view_append,
    .size = view_size,
    .get_leaf_hash = view_leaf,
    .get_perfect_subtree = view_subtree,
    .destroy = view_destroy,
};

static int log_view(porch_srv_meta *pm, const uint8_t hh[PORCH_SRV_HH], porch_log_store **out)
{
    struct sq_logview *v = calloc(1, sizeof *v);

    *out = NULL;
    if (!v)
        return PORCH_ERR_NOMEM;
    v->base.ops = &view_ops;
    v->m = M(pm);
    memcpy(v->hh, hh, PORCH_SRV_HH);
    *out = &v->base;
    return PORCH_OK;
}

static void meta_close(porch_srv_meta *pm)
{
    struct sq_meta *m = M(pm);

    if (!m)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(m->st[i]);
    sqlite3_close(m->db);
    if (m->wal_fd >= 0)
        close(m->wal_fd);
    pthread_mutex_destroy(&m->lock);
    pthread_mutex_destroy(&m->sync_lock);
    pthread_cond_destroy(&m->sync_cond);
    free(m);
}

static const porch_srv_meta_ops sqlite_ops = {
    .household_create = hh_create, .household_get = hh_get, .roster_replace = hh_replace,
    .token_put = tok_put, .token_get = tok_get, .token_sweep = tok_sweep,
    .upload_get = up_get, .upload_put = up_put, .upload_delete = up_del, .usage = usage,
    .clip_commit = clip_commit, .clip_get = clip_get, .clip_record = clip_record,
    .clip_list = clip_list, .clip_delete = clip_delete,
    .notice_put = notice_put, .notice_list = notice_list,
    .grant_put = grant_put, .grant_list = grant_list, .grant_revoke = grant_revoke,
    .share_get = share_get, .share_sweep = share_sweep,
    .log_append = log_append, .log_entry = log_entry, .log_view = log_view,
    .close = meta_close,
};

static int user_version(sqlite3 *db, int *v)
{
    sqlite3_stmt *s = NULL;
    int ret = PORCH_ERR_STORE;

    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        *v = sqlite3_column_int(s, 0);
        ret = PORCH_OK;
    }
    sqlite3_finalize(s);
    return ret;
}

/* Runs migrations[from] and records version from + 1, all or nothing. */
static int migrate(sqlite3 *db, int from)
{
    char version[64];
    int ok;

    snprintf(version, sizeof version, "PRAGMA user_version = %d;", from + 1);
    ok = sqlite3_exec(db, "BEGIN IMMEDIATE;", NULL, NULL, NULL) == SQLITE_OK &&
         sqlite3_exec(db, migrations[from], NULL, NULL, NULL) == SQLITE_OK &&
         sqlite3_exec(db, version, NULL, NULL, NULL) == SQLITE_OK &&
         sqlite3_exec(db, "COMMIT;", NULL, NULL, NULL) == SQLITE_OK;
    if (!ok)
        sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
    return ok ? PORCH_OK : PORCH_ERR_STORE;
}

/* Pragmas and schema: fixed text, no parameters. A store of an older
 * version is brought up to SCHEMA_VERSION; a newer one is refused. */
static int setup_db(sqlite3 *db)
{
    int v = 0, ret;

    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                         "PRAGMA secure_delete=ON; PRAGMA foreign_keys=ON;",
                     NULL, NULL, NULL) != SQLITE_OK)
        return PORCH_ERR_STORE;
    sqlite3_busy_timeout(db, 5000);
    if ((ret = user_version(db, &v)) != PORCH_OK)
        return ret;
    if (v == 0)
        return sqlite3_exec(db, schema_sql, NULL, NULL, NULL) == SQLITE_OK ? PORCH_OK
                                                                           : PORCH_ERR_STORE;
    if (v < 0 || v > SCHEMA_VERSION)
        return PORCH_ERR_SCHEMA;
    for (; v < SCHEMA_VERSION; v++)
        if ((ret = migrate(db, v)) != PORCH_OK)
            return ret;
    return PORCH_OK;
}

/* The WAL exists once a write has gone through it (setup_db's pragmas may
 * not have written): a no-op write makes sure. SQLite keeps this file (it
 * restarts it from the top after a checkpoint, never deletes it while the
 * connection is open), so the descriptor stays valid for durable(). */
static int open_wal(struct sq_meta *m, const char *path)
{
    char wal[4096];

    if (snprintf(wal, sizeof wal, "%s-wal", path) >= (int)sizeof wal)
        return PORCH_ERR_INVALID_ARG;
    if ((m->wal_fd = open(wal, O_RDONLY | O_CLOEXEC)) >= 0)
        return PORCH_OK;
    /* Rewrites the version setup_db has just checked (SCHEMA_VERSION). */
    if (sqlite3_exec(m->db, "BEGIN IMMEDIATE; " SCHEMA_VERSION_SQL " COMMIT;", NULL, NULL,
                     NULL) != SQLITE_OK)
        return PORCH_ERR_STORE;
    m->wal_fd = open(wal, O_RDONLY | O_CLOEXEC);
    return m->wal_fd >= 0 ? PORCH_OK : PORCH_ERR_STORE;
}

/* Ownership: *out owned by the caller, released with (*out)->ops->close(*out). */
int porch_srv_meta_sqlite_open(porch_srv_meta **out, const char *path)
{
    struct sq_meta *m = NULL;
    int ret = PORCH_ERR_NOMEM;

    *out = NULL;
    if (!(m = calloc(1, sizeof *m)))
        goto out;
    m->base.ops = &sqlite_ops;
    /* Recursive: a listing's callback may read other tables (a support
     * device's grants decide which clips it sees) while the listing holds
     * the lock. Nested calls use other prepared statements. */
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&m->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    pthread_mutex_init(&m->sync_lock, NULL);
    pthread_cond_init(&m->sync_cond, NULL);
    m->wal_fd = -1;
    ret = PORCH_ERR_STORE;
    if (sqlite3_open_v2(path, &m->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                        SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        goto out;
    if ((ret = setup_db(m->db)) != PORCH_OK || (ret = open_wal(m, path)) != PORCH_OK)
        goto out;
    for (int i = 0; i < S_COUNT; i++)
        if (sqlite3_prepare_v3(m->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &m->st[i],
                               NULL) != SQLITE_OK) {
            ret = PORCH_ERR_STORE;
            goto out;
        }
    *out = &m->base;
    m = NULL;
    ret = PORCH_OK;
out:
    meta_close(m ? &m->base : NULL);
    return ret;
}

/*
 * test_server_schema.c: the metadata store's schema version across releases,
 * against the real porchlight-server and its SQLite file.
 *   - a store written at version 1 (no notices_by_id index: stop 9's
 *     layout) is migrated at start: version 2, the index present, the
 *     household it held still served;
 *   - a store of a version newer than the build is refused: exit 1 with
 *     "store schema version is unknown", and the file is left as it was.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "household.h"
#include "support/srvtest.h"

static struct srv S;
static struct household H;

/* Runs sql on the server's store (the server must be stopped). */
static void store_exec(const char *sql)
{
    char path[640];
    sqlite3 *db = NULL;

    snprintf(path, sizeof path, "%s/meta.sqlite", S.data);
    REQUIRE(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
}

/* The first column of the first row of sql, or -1. */
static long long store_int(const char *sql)
{
    char path[640];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;

    snprintf(path, sizeof path, "%s/meta.sqlite", S.data);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static const char count_index[] =
    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'notices_by_id'";

int main(void)
{
    const uint8_t *hh;
    char token[64], out[4096];

    REQUIRE(porch_init() == PORCH_OK);
    household_init(&H);
    hh = porch_roster_household(H.roster);
    srv_start(&S, NULL);
    REQUIRE(srv_create_household(&S, H.roster) == 201);
    srv_stop(&S);
    CHECK(store_int("PRAGMA user_version") == 2 && store_int(count_index) == 1);

    /* Back to version 1's layout, then start: migrated, data intact. */
    store_exec("DROP INDEX notices_by_id; PRAGMA user_version = 1;");
    srv_restart(&S);
    CHECK(srv_login(&S, H.owner, hh, token) == 200);
    srv_stop(&S);
    CHECK(store_int("PRAGMA user_version") == 2);
    CHECK(store_int(count_index) == 1);
    CHECK(store_int("SELECT COUNT(*) FROM households") == 1);

    /* A newer store: refused, untouched. */
    store_exec("PRAGMA user_version = 99;");
    const char *args[] = { "--listen", "127.0.0.1", "--port", "0", "--data", S.data, NULL };
    int st = srv_run_once(args, 20, out, sizeof out);
    printf("version 99: exit %d: %s", st, out);
    CHECK(st == 1 && strstr(out, "store schema version is unknown"));
    CHECK(store_int("PRAGMA user_version") == 99);

    srv_cleanup(&S);
    household_free(&H);
    return CHECK_DONE();
}

/*
 * test_analysis_regress.c: `porchlight-hub analyze` end to end on one
 * development sequence (../shared/testdata/sequences/sbi-board: a person at
 * a whiteboard), when the test data and the model are present (exit 77
 * otherwise). The program is spawned with a built argv and a time limit;
 * its events must contain a person event overlapping the labelled frames
 * and nothing else, and --frames must hold one JSON line per frame.
 */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define FRAMES 228
#define LIMIT_S 600

extern char **environ;

/* Runs argv, killing it after LIMIT_S seconds; returns its exit status or -1. */
static int run(char *const argv[])
{
    pid_t pid;
    int status = 0;

    if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return -1;
    for (int waited = 0; waited < LIMIT_S * 10; waited++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (r < 0)
            return -1;
        nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

static int count_lines(const char *path, const char *needle, int *matching)
{
    char line[1 << 16];
    FILE *f = fopen(path, "r");
    int n = 0;

    *matching = 0;
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        n += line[0] == '{';
        *matching += needle != NULL && strstr(line, needle) != NULL;
    }
    fclose(f);
    return n;
}

int main(void)
{
    const char *td = getenv("PORCH_TESTDATA"), *build = getenv("PORCH_BUILD_DIR"),
               *src = getenv("PORCH_SOURCE_DIR");
    char input[4096], hub[4096], models[4096], model[4200], dir[] = "/tmp/porch-analyze-XXXXXX";
    char events[4200], frames[4200];
    int person = 0, dummy = 0;

    snprintf(input, sizeof(input), "%s/sequences/sbi-board/video.mp4",
             td != NULL ? td : "../shared/testdata");
    snprintf(hub, sizeof(hub), "%s/hub/porchlight-hub", build != NULL ? build : "build");
    snprintf(models, sizeof(models), "%s/.deps/models", src != NULL ? src : ".");
    snprintf(model, sizeof(model), "%s/nanodet.json", models);
    if (access(input, R_OK) != 0 || access(model, R_OK) != 0) {
        printf("SKIP: needs %s and %s (../shared/testdata, scripts/models.sh)\n", input, model);
        return 77;
    }
    REQUIRE(mkdtemp(dir) != NULL);
    snprintf(events, sizeof(events), "%s/events.jsonl", dir);
    snprintf(frames, sizeof(frames), "%s/frames.jsonl", dir);
    char *argv[] = { hub, "analyze", "--input", input, "--events", events, "--frames", frames,
                     "--models", models, "--camera", "board", NULL };
    CHECK(run(argv) == 0);
    int nev = count_lines(events, "\"class\":\"person\"", &person);
    CHECK(nev >= 1 && person == nev);
    CHECK(count_lines(events, "\"camera\":\"board\"", &dummy) == nev && dummy == nev);
    CHECK(count_lines(frames, NULL, &dummy) == FRAMES);
    /* Bad input: a clear error and a non-zero status. */
    char *bad[] = { hub, "analyze", "--input", "/nonexistent.mp4", "--events", events,
                    "--models", models, NULL };
    CHECK(run(bad) == 1);
    unlink(events);
    unlink(frames);
    rmdir(dir);
    printf("%d events, %d person\n", nev, person);
    return CHECK_DONE();
}

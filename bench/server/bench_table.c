/* bench_table.c: the rows and the printed table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v in place. */
double bench_median(double *v, int n)
{
    if (n <= 0)
        return 0;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bench_row *bench_add_row(bench_run *r)
{
    static bench_row spare;
    if (r->n_rows >= BENCH_MAX_ROWS) {
        memset(&spare, 0, sizeof spare);
        return &spare;
    }
    bench_row *row = &r->rows[r->n_rows++];
    memset(row, 0, sizeof *row);
    return row;
}

static const char *met_text(const bench_row *w)
{
    if (w->failed)
        return "FAIL";
    return w->met < 0 ? "-" : w->met ? "yes" : "NO";
}

void bench_print(const bench_run *r)
{
    printf("\nporchlight-server vs nginx on 127.0.0.1, same bytes, same run; %d interleaved "
           "round(s) per test (order alternates),\nfigures are medians, ratio = median of "
           "per-round porchlight/nginx; cpu = %% of one core over the timed rounds\n"
           "(lg = this load generator, srv = the server; nginx/porchlight rounds)\n\n",
           r->o->rounds);
    printf("%-26s %5s %-6s %10s %10s %7s  %-15s %-4s  %9s  %9s\n", "test", "N", "unit",
           "nginx", "porchlight", "ratio", "target", "met", "lg% n/p", "srv% n/p");
    for (int i = 0; i < r->n_rows; i++) {
        const bench_row *w = &r->rows[i];
        char cpu_lg[24] = "", cpu_srv[24] = "";
        if (w->lg_cpu[0] > 0 || w->lg_cpu[1] > 0) {
            snprintf(cpu_lg, sizeof cpu_lg, "%.0f/%.0f", w->lg_cpu[0], w->lg_cpu[1]);
            snprintf(cpu_srv, sizeof cpu_srv, "%.0f/%.0f", w->srv_cpu[0], w->srv_cpu[1]);
        }
        if (w->failed)
            printf("%-26s %5s %-6s %10s %10s %7s  %-15s %-4s  %9s  %9s\n", w->test, w->n,
                   w->unit, "-", "-", "-", w->target, met_text(w), cpu_lg, cpu_srv);
        else
            printf("%-26s %5s %-6s %10.1f %10.1f %6.3fx  %-15s %-4s  %9s  %9s\n", w->test, w->n,
                   w->unit, w->nginx, w->porch, w->ratio, w->target, met_text(w), cpu_lg,
                   cpu_srv);
        if (w->note[0])
            printf("%-26s   ^ %s\n", "", w->note);
    }
    printf("\n");
    for (int i = 0; i < r->n_rows; i++) {
        const bench_row *w = &r->rows[i];
        printf("bench_server: test=\"%s\" n=%s unit=%s nginx=%.2f porchlight=%.2f ratio=%.3f "
               "met=%s lg_cpu=%.0f/%.0f srv_cpu=%.0f/%.0f rounds=%d\n", w->test, w->n, w->unit,
               w->nginx, w->porch, w->ratio, met_text(w), w->lg_cpu[0], w->lg_cpu[1],
               w->srv_cpu[0], w->srv_cpu[1], r->o->rounds);
    }
}

/*
 * args.c: long options from a table, and --help generated from the same
 * table, so a verb's help can never disagree with what it parses.
 *
 * Accepted forms: --name VALUE, --name=VALUE, --flag, -h/--help, and "--"
 * to end options. Each option may be given once. Values are never copied:
 * targets point into argv. Secrets are never accepted as option values.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "porch %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'porch %s --help'.\n", cmd);
    return PORCH_EXIT_USAGE;
}

static void print_help(const struct cli_spec *s)
{
    printf("Usage: porch %s [OPTIONS]%s%s\n\n%s\n\nOptions:\n", s->cmd,
           s->pos_name ? " " : "", s->pos_name ? s->pos_name : "", s->summary);
    for (size_t i = 0; i < s->n_opts; i++) {
        const struct cli_opt *o = &s->opts[i];
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->metavar ? " " : "",
                 o->metavar ? o->metavar : "");
        printf("  %-26s %s%s\n", left, o->help, (o->flags & CLI_REQ) ? " (required)" : "");
    }
    printf("  %-26s %s\n", "-h, --help", "show this help and exit");
    if (s->notes)
        printf("\n%s\n", s->notes);
}

/* The option named by arg ("--name" or "--name=value"), or NULL. */
static const struct cli_opt *find_opt(const struct cli_spec *s, const char *arg,
                                      const char **inline_value)
{
    const char *name = arg + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);

    *inline_value = eq ? eq + 1 : NULL;
    for (size_t i = 0; i < s->n_opts; i++)
        if (strlen(s->opts[i].name) == len && strncmp(s->opts[i].name, name, len) == 0)
            return &s->opts[i];
    return NULL;
}

static int already_set(const struct cli_opt *o)
{
    return o->metavar ? *o->value != NULL : *o->flag != 0;
}

/* Applies one option at argv[*i]; advances *i past a separate value. */
static int take_opt(const struct cli_spec *s, int argc, char **argv, int *i)
{
    const char *val = NULL;
    const struct cli_opt *o = find_opt(s, argv[*i], &val);

    if (!o)
        return cli_usage(s->cmd, "unknown option '%s'", argv[*i]);
    if (already_set(o))
        return cli_usage(s->cmd, "--%s given twice", o->name);
    if (!o->metavar) {
        if (val)
            return cli_usage(s->cmd, "--%s takes no value", o->name);
        *o->flag = 1;
        return CLI_CONTINUE;
    }
    if (!val) {
        if (*i + 1 >= argc)
            return cli_usage(s->cmd, "--%s needs a value (%s)", o->name, o->metavar);
        val = argv[++*i];
    }
    if (val[0] == '\0')
        return cli_usage(s->cmd, "--%s: empty value", o->name);
    *o->value = val;
    return CLI_CONTINUE;
}

static int take_positional(const struct cli_spec *s, const char *arg)
{
    if (!s->pos_name)
        return cli_usage(s->cmd, "unexpected argument '%s'", arg);
    if (*s->pos)
        return cli_usage(s->cmd, "only one %s may be given", s->pos_name);
    *s->pos = arg;
    return CLI_CONTINUE;
}

static int check_required(const struct cli_spec *s)
{
    for (size_t i = 0; i < s->n_opts; i++)
        if ((s->opts[i].flags & CLI_REQ) && !already_set(&s->opts[i]))
            return cli_usage(s->cmd, "--%s is required", s->opts[i].name);
    if (s->pos_name && !*s->pos)
        return cli_usage(s->cmd, "missing %s", s->pos_name);
    return CLI_CONTINUE;
}

static int is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_parse(const struct cli_spec *s, int argc, char **argv)
{
    int ret = CLI_CONTINUE, options_done = 0;

    /* --help wins over every other mistake on the line. */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (is_help(argv[i])) {
            print_help(s);
            return PORCH_EXIT_OK;
        }
    for (int i = 1; i < argc && ret == CLI_CONTINUE; i++) {
        const char *arg = argv[i];
        if (!options_done && strcmp(arg, "--") == 0)
            options_done = 1;
        else if (!options_done && strncmp(arg, "--", 2) == 0)
            ret = take_opt(s, argc, argv, &i);
        else if (!options_done && arg[0] == '-' && arg[1] != '\0')
            ret = cli_usage(s->cmd, "unknown option '%s' (options are long: --name)", arg);
        else
            ret = take_positional(s, arg);
    }
    return ret == CLI_CONTINUE ? check_required(s) : ret;
}

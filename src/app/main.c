/* main.c — the command line: common options, the sub-command, exit codes (0 ok, 1 failure,
 * 2 usage), and loading config, prices and roots before handing over to a sub-command. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"

/* The usage text around what the agent table gives (print_usage): the agents' labels, the
 * statusline's agent and each agent's roots option. */
static const char usage_commands[] =
	"commands:\n"
	"  (none)                 live dashboard over the transcript roots\n"
	"  report                 one-shot report: sessions, cache events, pairs, blocks, quota\n"
	"  watch --jsonl          one JSON object per cache event, as it happens\n"
	"  replay DIR             play a recorded tree (e.g. samples/) as if live\n";
static const char usage_options[] =
	"  --config FILE          config file (default $XDG_CONFIG_HOME/cachetop/config.yaml)\n"
	"  --theme NAME|FILE      colour theme (default, light, mono, nord, or a YAML file)\n"
	"  --no-color             no colours (also when NO_COLOR is set)\n"
	"  --ascii                ASCII glyphs only\n"
	"  --bell                 ring the terminal bell once per unexpected miss\n"
	"  --since DATE           count requests from DATE on (RFC 3339 or YYYY-MM-DD)\n"
	"  --now TIME             take TIME as the current time (reproducible reports)\n"
	"  --no-state             read every transcript whole; neither use nor write the saved state\n"
	"  --json                 report: JSON (report-schema)\n"
	"  --csv                  report: one CSV row per session\n"
	"  --openmetrics [FILE]   report: OpenMetrics text, to stdout or atomically to FILE\n"
	"  --jsonl                watch: JSON lines (the default and only format)\n"
	"  --backfill             watch: also print the events already in the files\n"
	"  --final-report FILE    watch: when it stops, write the report --json of what it followed\n"
	"  --speed N              replay: play N times faster than real time (default 60)\n"
	"  --max-frames N         dashboard: quit after N frames (tests)\n"
	"  -h, --help             this help\n"
	"  -V, --version          the version\n";

enum {
	OPT_CONFIG = 256, OPT_THEME, OPT_NOCOLOR, OPT_ASCII, OPT_BELL, OPT_SINCE,
	OPT_NOW, OPT_JSON, OPT_CSV, OPT_OPENMETRICS, OPT_JSONL, OPT_BACKFILL, OPT_SPEED, OPT_MAXFRAMES,
	OPT_FINALREPORT, OPT_NOSTATE,
	OPT_DIRS = 512, /* + an agent: its roots option (the agent table's `option`) */
};

/* after the agents' roots options, which main() puts first */
static const struct option other_opts[] = {
	{"config", required_argument, NULL, OPT_CONFIG},
	{"theme", required_argument, NULL, OPT_THEME},
	{"no-color", no_argument, NULL, OPT_NOCOLOR},
	{"no-colour", no_argument, NULL, OPT_NOCOLOR},
	{"ascii", no_argument, NULL, OPT_ASCII},
	{"bell", no_argument, NULL, OPT_BELL},
	{"since", required_argument, NULL, OPT_SINCE},
	{"now", required_argument, NULL, OPT_NOW},
	{"json", no_argument, NULL, OPT_JSON},
	{"csv", no_argument, NULL, OPT_CSV},
	{"openmetrics", optional_argument, NULL, OPT_OPENMETRICS},
	{"jsonl", no_argument, NULL, OPT_JSONL},
	{"backfill", no_argument, NULL, OPT_BACKFILL},
	{"speed", required_argument, NULL, OPT_SPEED},
	{"max-frames", required_argument, NULL, OPT_MAXFRAMES},
	{"final-report", required_argument, NULL, OPT_FINALREPORT},
	{"no-state", no_argument, NULL, OPT_NOSTATE},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

#define USAGE_WIDTH 90 /* the text is wrapped to fit this many columns */
#define USAGE_COLUMN 25 /* the column where an option's or a command's words start */

/* Words into f wrapped at USAGE_WIDTH, *col the current column. */
static void usage_words(FILE *f, const char *s, int *col)
{
	while (*s) {
		size_t n = strcspn(s, " ");
		if (*col && *col + 1 + (int)n > USAGE_WIDTH) {
			fputc('\n', f);
			*col = 0;
		} else if (*col) {
			fputc(' ', f);
			(*col)++;
		}
		fwrite(s, 1, n, f);
		*col += (int)n;
		s += n;
		s += strspn(s, " ");
	}
}

static void print_usage(FILE *f)
{
	fputs("usage: cachetop [COMMAND] [OPTIONS]\n\n", f);
	int col = 0;
	usage_words(f, "Live prompt-cache and 5-hour quota monitor for", &col);
	for (int ag = 0; ag < AGENT_COUNT; ag++) {
		char w[96];
		snprintf(w, sizeof w, "%s%s", agent_table[ag].label,
			 ag + 1 == AGENT_COUNT ? " sessions." : ag + 2 == AGENT_COUNT ? " and" : ",");
		usage_words(f, w, &col);
	}
	fputs("\n\n", f);
	fputs(usage_commands, f);
	enum agent sl = agent_limits_owner(AGENT_LIMITS_STATUSLINE);
	if (sl != AGENT_COUNT)
		fprintf(f, "  %-*s a %s statusLine command (reads its stdin JSON)\n", USAGE_COLUMN - 3,
			"statusline", agent_get(sl)->label);
	fprintf(f, "  %-*s one compact line for tmux status-right\n\noptions:\n", USAGE_COLUMN - 3, "status");
	for (int ag = 0; ag < AGENT_COUNT; ag++) {
		char opt[64];
		snprintf(opt, sizeof opt, "%s DIR", agent_table[ag].option);
		fprintf(f, "  %-*s %s; repeatable\n", USAGE_COLUMN - 3, opt, agent_table[ag].option_help);
	}
	fputs(usage_options, f);
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("cachetop: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see cachetop --help)\n", stderr);
	return 2;
}

static void push(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
}

static int parse_time_arg(const char *s, int64_t *out)
{
	return rfc3339_parse(s, strlen(s), out);
}

int main(int argc, char **argv)
{
	struct app a = {0};
	a.argv0 = argv[0];
	a.since_ms = CT_TIME_NONE;
	a.now_override = CT_TIME_NONE;
	a.speed = 60;
	bool jsonl = false;
	opterr = 0;
	struct option long_opts[AGENT_COUNT + sizeof other_opts / sizeof other_opts[0]];
	for (int ag = 0; ag < AGENT_COUNT; ag++)
		long_opts[ag] = (struct option){agent_table[ag].option + 2, required_argument, NULL, OPT_DIRS + ag};
	memcpy(long_opts + AGENT_COUNT, other_opts, sizeof other_opts);
	int c;
	while ((c = getopt_long(argc, argv, ":hV", long_opts, NULL)) != -1) {
		if (c >= OPT_DIRS && c < OPT_DIRS + AGENT_COUNT) {
			push(&a.dirs[c - OPT_DIRS], &a.ndirs[c - OPT_DIRS], optarg);
			continue;
		}
		switch (c) {
		case OPT_CONFIG: a.config_path = optarg; break;
		case OPT_THEME: a.theme = optarg; break;
		case OPT_NOCOLOR: a.no_color = true; break;
		case OPT_ASCII: a.ascii = true; break;
		case OPT_BELL: a.bell = true; break;
		case OPT_SINCE:
			if (parse_time_arg(optarg, &a.since_ms))
				return usage_error("--since: not a date: %s", optarg);
			break;
		case OPT_NOW:
			if (parse_time_arg(optarg, &a.now_override))
				return usage_error("--now: not a time: %s", optarg);
			break;
		case OPT_JSON: a.format = FMT_JSON; break;
		case OPT_CSV: a.format = FMT_CSV; break;
		case OPT_OPENMETRICS:
			a.format = FMT_OPENMETRICS;
			a.output_path = optarg;
			break;
		case OPT_JSONL: jsonl = true; break;
		case OPT_BACKFILL: a.backfill = true; break;
		case OPT_FINALREPORT: a.final_report = optarg; break;
		case OPT_NOSTATE: a.no_state = true; break;
		case OPT_SPEED: {
			char *end;
			a.speed = strtod(optarg, &end);
			if (*end || !(a.speed > 0) || a.speed > 1e6)
				return usage_error("--speed: not a positive number: %s", optarg);
			break;
		}
		case OPT_MAXFRAMES: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 1000000)
				return usage_error("--max-frames: not a positive count: %s", optarg);
			a.max_frames = (int)v;
			break;
		}
		case 'h': print_usage(stdout); return 0;
		case 'V': printf("cachetop %s\n", CACHETOP_VERSION); return 0;
		case ':': return usage_error("option needs a value: %s", argv[optind - 1]);
		default: return usage_error("unknown option: %s", argv[optind - 1]);
		}
	}
	const char *cmd = optind < argc ? argv[optind++] : "";
	int (*run)(struct app *) = NULL;
	if (!*cmd || !strcmp(cmd, "dashboard") || !strcmp(cmd, "top"))
		run = cmd_dashboard;
	else if (!strcmp(cmd, "report"))
		run = cmd_report;
	else if (!strcmp(cmd, "watch"))
		run = cmd_watch;
	else if (!strcmp(cmd, "replay"))
		run = cmd_replay;
	else if (!strcmp(cmd, "statusline"))
		run = cmd_statusline;
	else if (!strcmp(cmd, "status"))
		run = cmd_status;
	else if (!strcmp(cmd, "help")) {
		print_usage(stdout);
		return 0;
	} else
		return usage_error("unknown command: %s", cmd);

	if (run == cmd_replay) {
		if (optind >= argc)
			return usage_error("%s needs a folder (e.g. cachetop replay samples/)", "replay");
		a.replay_dir = argv[optind++];
	}
	if (run == cmd_report && a.format == FMT_OPENMETRICS && !a.output_path && optind < argc)
		a.output_path = argv[optind++];
	if (optind < argc)
		return usage_error("unexpected argument: %s", argv[optind]);
	if (jsonl && run != cmd_watch)
		return usage_error("%s goes with watch", "--jsonl");
	if (a.format != FMT_TEXT && run != cmd_report)
		return usage_error("%s: output formats go with report", cmd);
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		a.no_color = true;

	/* statusline runs after every assistant message: it reads the state file only if it must */
	a.official_lazy = run == cmd_statusline;
	/* status answers from the state's digest without a model, report perhaps from an image:
	 * their prices are parsed when a model is made (app_prices), beside other work */
	a.prices_lazy = run == cmd_status || run == cmd_report;
	app_load(&a);
	int rc = run(&a);
	app_free(&a);
	return rc;
}

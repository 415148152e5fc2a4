/* gen_corpus: writes a deterministic synthetic transcript tree for benchmarks — a Claude root
 * (projects/<slug>/<session>.jsonl, <session>/subagents/agent-*.jsonl) and a Codex root
 * (sessions/YYYY/MM/DD/rollout-*.jsonl) with the real mix of line kinds and sizes, from a seeded
 * PRNG (same arguments, same bytes). It also writes manifest.json beside the two roots with the
 * ground truth: unique requests and token sums per agent, as the two tools should count them. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- PRNG (splitmix64) ---- */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static uint64_t rrange(uint64_t lo, uint64_t hi) { return lo + rnd() % (hi - lo + 1); }
static double runif(void) { return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0); }
static int chance(double p) { return runif() < p; }

/* ---- output with a byte counter ---- */
static FILE *out;
static uint64_t out_bytes;   /* bytes of the current file */
static uint64_t all_bytes;   /* bytes of every file */
static char out_buf[1 << 20];

static void w(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void w(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(out, fmt, ap);
    va_end(ap);
    if (n > 0)
        out_bytes += (uint64_t)n;
}
static void wraw(const char *s, size_t n)
{
    fwrite(s, 1, n, out);
    out_bytes += n;
}

static void die(const char *what)
{
    fprintf(stderr, "gen_corpus: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void mkdirs(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0755) && errno != EEXIST)
                die(tmp);
            *p = '/';
        }
    if (mkdir(tmp, 0755) && errno != EEXIST)
        die(tmp);
}

static void open_out(const char *path)
{
    out = fopen(path, "w");
    if (!out)
        die(path);
    setvbuf(out, out_buf, _IOFBF, sizeof out_buf);
    out_bytes = 0;
}
static void close_out(void)
{
    if (fclose(out))
        die("close");
    all_bytes += out_bytes;
}

/* ---- text: a pool of word-like JSON-safe text sliced at random offsets ---- */
#define POOL_SIZE (8u << 20)
static char *pool;
static void pool_init(void)
{
    static const char *words[] = {
        "the", "file", "function", "return", "value", "error", "test", "build", "src/core/model.c",
        "const", "char", "int", "static", "struct", "if", "else", "for", "while", "cache", "token",
        "session", "request", "line", "parse", "json", "buffer", "size", "result", "assert", "make",
        "cmake", "--build", "PASS", "FAIL", "ok", "warning:", "note:", "#include", "<stdio.h>", "{",
        "}", "(", ");", "=", "==", "&&", "||", "0x7f", "42", "1024", "README.md", "git", "diff",
        "commit", "main", "branch", "update", "fix", "add", "remove", "check", "output", "input"};
    const size_t nw = sizeof words / sizeof words[0];
    pool = malloc(POOL_SIZE);
    if (!pool)
        die("malloc");
    size_t i = 0;
    while (i < POOL_SIZE - 64) {
        const char *wd = words[rnd() % nw];
        size_t n = strlen(wd);
        memcpy(pool + i, wd, n);
        i += n;
        uint64_t r = rnd() % 16;
        if (r == 0) { memcpy(pool + i, "\\n", 2); i += 2; }
        else if (r == 1) { memcpy(pool + i, ". ", 2); i += 2; }
        else pool[i++] = ' ';
    }
    while (i < POOL_SIZE)
        pool[i++] = ' ';
}
/* Writes n bytes of text (never ending inside an escape). */
static void text(size_t n)
{
    while (n > 0) {
        size_t k = n > POOL_SIZE / 2 ? POOL_SIZE / 2 : n;
        size_t off = rnd() % (POOL_SIZE - k);
        size_t m = k;
        while (m > 0 && pool[off + m - 1] == '\\')
            m--;
        wraw(pool + off, m);
        n -= k;
    }
}

/* Sizes of tool outputs: mostly small, a long tail to hundreds of KB. */
static size_t tool_output_size(int small)
{
    if (small)
        return (size_t)rrange(20, 120);
    double u = runif();
    if (u < 0.55) return (size_t)rrange(200, 2000);
    if (u < 0.85) return (size_t)rrange(2000, 20000);
    if (u < 0.97) return (size_t)rrange(20000, 100000);
    return (size_t)rrange(100000, 400000);
}

/* ---- ids and times ---- */
static void uuid(char o[37])
{
    uint64_t a = rnd(), b = rnd();
    snprintf(o, 37, "%08" PRIx64 "-%04" PRIx64 "-4%03" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
             a >> 32, (a >> 16) & 0xffff, a & 0xfff, 0x8000 | (b >> 48 & 0x3fff), (uint64_t)(b & 0xffffffffffffULL));
}
static void b62(char *o, size_t n)
{
    static const char al[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for (size_t i = 0; i < n; i++)
        o[i] = al[rnd() % 62];
    o[n] = 0;
}
static void prefixed_id(char *o, const char *prefix, size_t n)
{
    size_t l = strlen(prefix);
    memcpy(o, prefix, l);
    b62(o + l, n);
}
static void ts(char o[80], int64_t ms)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    snprintf(o, 80, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/* ---- ground truth ---- */
struct truth {
    uint64_t requests, input, output, cache_creation, cache_read, lines, files, bytes;
};
static struct truth t_claude, t_codex;

/* ====================================================================================== */
/* Claude                                                                                 */
/* ====================================================================================== */

struct csess {
    char session_id[37], agent_id[18], parent[37], cwd[128], version[16], model[48];
    int has_parent, sidechain, subagent, old_style, small;
    int64_t now;             /* ms */
    uint64_t prompt;         /* tokens of the last request's prompt */
    uint64_t target;         /* bytes */
};

static void c_env(struct csess *s, const char *type_first)
{
    (void)type_first;
    if (s->has_parent)
        w("{\"parentUuid\":\"%s\",", s->parent);
    else
        w("{\"parentUuid\":null,");
    w("\"isSidechain\":%s,\"userType\":\"external\",\"cwd\":\"%s\",\"sessionId\":\"%s\","
      "\"version\":\"%s\",\"gitBranch\":\"main\",",
      s->sidechain ? "true" : "false", s->cwd, s->session_id, s->version);
    if (s->subagent)
        w("\"agentId\":\"%s\",", s->agent_id);
}
static void c_tail(struct csess *s)
{
    char u[37], t[80];
    uuid(u);
    ts(t, s->now);
    w("\"uuid\":\"%s\",\"timestamp\":\"%s\"}\n", u, t);
    memcpy(s->parent, u, 37);
    s->has_parent = 1;
    t_claude.lines++;
}

static void c_prompt(struct csess *s)
{
    s->now += (int64_t)rrange(5000, 240000);
    c_env(s, "user");
    w("\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"");
    text(s->small ? rrange(10, 60) : rrange(40, 1500));
    w("\"},");
    c_tail(s);
}

static void c_snapshot(struct csess *s)
{
    char m[37], t[80];
    uuid(m);
    ts(t, s->now);
    w("{\"type\":\"file-history-snapshot\",\"messageId\":\"%s\",\"snapshot\":{\"messageId\":\"%s\","
      "\"trackedFileBackups\":{},\"timestamp\":\"%s\"},\"isSnapshotUpdate\":false}\n", m, m, t);
    t_claude.lines++;
}

static void c_summary(void)
{
    char u[37];
    uuid(u);
    w("{\"type\":\"summary\",\"summary\":\"");
    text(rrange(20, 80));
    w("\",\"leafUuid\":\"%s\"}\n", u);
    t_claude.lines++;
}

static void c_system_duration(struct csess *s)
{
    c_env(s, "system");
    w("\"type\":\"system\",\"subtype\":\"turn_duration\",\"durationMs\":%" PRIu64 ",\"isMeta\":false,",
      rrange(2000, 400000));
    c_tail(s);
}

/* One API response: 1-4 lines sharing message.id/requestId, output_tokens growing to the final
 * value on the last line. cold: the cache missed (resume, sub-agent start, compaction).
 * Returns 1 if the response ends in a tool call. */
static int c_response(struct csess *s, int cold, uint64_t added, int want_tool)
{
    char mid[40], rid[40], tid[40];
    prefixed_id(mid, "msg_01", 22);
    prefixed_id(rid, "req_011C", 20);
    uint64_t prompt = s->prompt + added;
    uint64_t in = rrange(1, 8), cr, cc;
    if (cold) {
        cr = chance(0.5) ? 0 : rrange(3000, 12000);
        if (cr > prompt / 2) cr = 0;
    } else if (chance(0.03)) {
        cr = s->prompt * 4 / 10;              /* a partial, unexplained miss */
    } else {
        cr = s->prompt;
    }
    if (cr + in > prompt) prompt = cr + in + 100;
    cc = prompt - cr - in;
    s->prompt = prompt;
    uint64_t out_final = s->small ? rrange(5, 200) : rrange(30, 2500);
    unsigned nblocks = s->small ? 1 : (unsigned)(chance(0.4) ? 1 : chance(0.5) ? 2 : chance(0.66) ? 3 : 4);
    uint64_t c5 = s->old_style ? cc : 0, c1 = s->old_style ? 0 : cc;
    for (unsigned b = 0; b < nblocks; b++) {
        int last = b + 1 == nblocks;
        uint64_t outk = last ? out_final : (b == 0 ? 1 : out_final * (b + 1) / (nblocks + 1));
        s->now += (int64_t)rrange(50, last ? 30000 : 3000);
        c_env(s, "assistant");
        w("\"message\":{\"id\":\"%s\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"%s\","
          "\"content\":[", mid, s->model);
        if (last && want_tool) {
            prefixed_id(tid, "toolu_01", 22);
            w("{\"type\":\"tool_use\",\"id\":\"%s\",\"name\":\"Bash\",\"input\":{\"command\":\"", tid);
            text(s->small ? rrange(10, 40) : rrange(20, 3000));
            w("\",\"description\":\"");
            text(rrange(10, 60));
            w("\"}}");
        } else if (b == 0 && nblocks > 1 && !s->old_style) {
            w("{\"type\":\"thinking\",\"thinking\":\"");
            text(rrange(100, 3000));
            w("\",\"signature\":\"");
            char sig[401];
            b62(sig, 400);
            w("%s\"}", sig);
        } else {
            w("{\"type\":\"text\",\"text\":\"");
            text(s->small ? rrange(10, 80) : rrange(50, 2000));
            w("\"}");
        }
        w("],\"stop_reason\":%s,\"stop_sequence\":null,\"usage\":{\"input_tokens\":%" PRIu64
          ",\"cache_creation_input_tokens\":%" PRIu64 ",\"cache_read_input_tokens\":%" PRIu64
          ",\"cache_creation\":{\"ephemeral_5m_input_tokens\":%" PRIu64
          ",\"ephemeral_1h_input_tokens\":%" PRIu64 "},\"output_tokens\":%" PRIu64
          ",\"service_tier\":\"standard\"}},\"requestId\":\"%s\",\"type\":\"assistant\",",
          !last ? "null" : want_tool ? "\"tool_use\"" : "\"end_turn\"", in, cc, cr, c5, c1, outk, rid);
        c_tail(s);
    }
    t_claude.requests++;
    t_claude.input += in;
    t_claude.cache_creation += cc;
    t_claude.cache_read += cr;
    t_claude.output += out_final;
    return want_tool;
}

/* A user line carrying a tool result; returns its size in bytes (content only). */
static size_t c_tool_result(struct csess *s)
{
    char tid[40];
    prefixed_id(tid, "toolu_01", 22);
    size_t n = tool_output_size(s->small);
    s->now += (int64_t)rrange(20, 20000);
    c_env(s, "user");
    w("\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"tool_use_id\":\"%s\","
      "\"type\":\"tool_result\",\"content\":\"", tid);
    text(n);
    w("\",\"is_error\":false}]},\"toolUseResult\":{\"stdout\":\"");
    text(n / 3);
    w("\",\"stderr\":\"\",\"interrupted\":false,\"isImage\":false},");
    c_tail(s);
    return n;
}

static void c_compact(struct csess *s)
{
    s->now += 30000;
    s->has_parent = 0;
    c_env(s, "system");
    w("\"type\":\"system\",\"subtype\":\"compact_boundary\",\"content\":\"Conversation compacted\","
      "\"level\":\"info\",\"compactMetadata\":{\"trigger\":\"auto\",\"preTokens\":%" PRIu64 "},", s->prompt);
    c_tail(s);
    c_env(s, "user");
    w("\"type\":\"user\",\"isCompactSummary\":true,\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"text\","
      "\"text\":\"This session is being continued from a previous conversation that ran out of context. ");
    text(rrange(2000, 8000));
    w("\"}]},");
    c_tail(s);
    s->prompt = rrange(12000, 30000);
}

/* Conversation turns until the file reaches its byte target (or the request budget). */
static void c_body(struct csess *s, int cold_first, uint64_t max_requests)
{
    int cold = cold_first;
    uint64_t done = 0;
    while (out_bytes < s->target && done < max_requests) {
        if (!s->small && !s->subagent && chance(0.7))
            c_snapshot(s);
        if (!s->small || chance(0.25))
            c_prompt(s);
        unsigned nreq = s->small ? 1 : (unsigned)rrange(1, 12);
        uint64_t added = (uint64_t)rrange(50, 800);
        for (unsigned r = 0; r < nreq && done < max_requests; r++) {
            int tool = r + 1 < nreq && out_bytes < s->target;
            c_response(s, cold, added, tool);
            cold = 0;
            done++;
            added = 0;
            if (tool)
                added = c_tool_result(s) / 4 + rrange(100, 1500);
            if (s->old_style && !s->sidechain && chance(0.04)) {
                /* an inline sidechain (1.0.x layout): a Task agent's lines in the main file */
                char keep[37];
                int keep_has = s->has_parent;
                uint64_t keep_prompt = s->prompt;
                memcpy(keep, s->parent, 37);
                s->sidechain = 1;
                s->has_parent = 0;
                s->prompt = rrange(9000, 16000);
                c_prompt(s);
                unsigned k = (unsigned)rrange(1, 6);
                for (unsigned j = 0; j < k; j++) {
                    c_response(s, j == 0, 0, j + 1 < k);
                    if (j + 1 < k)
                        s->prompt += c_tool_result(s) / 4;
                }
                s->sidechain = 0;
                s->has_parent = keep_has;
                memcpy(s->parent, keep, 37);
                s->prompt = keep_prompt;
            }
            if (s->prompt > 170000)
                c_compact(s), cold = 1;
            if (!tool)
                break;
        }
        if (!s->old_style && !s->small && chance(0.5))
            c_system_duration(s);
    }
}

/* Copies the leading lines of an earlier file (same uuid/message.id/requestId, new sessionId):
 * a resumed session's replayed prefix. Leaves the parent pointer at the last copied uuid. */
static void c_replay_prefix(struct csess *s, const char *prev_path, const char *prev_sid, uint64_t max_bytes)
{
    FILE *f = fopen(prev_path, "r");
    if (!f)
        die(prev_path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (out_bytes < max_bytes && (n = getline(&line, &cap, f)) > 0) {
        for (char *p = line; (p = strstr(p, prev_sid)) != NULL; p += 36)
            memcpy(p, s->session_id, 36);
        wraw(line, (size_t)n);
        t_claude.lines++;
        char *u = strstr(line, "\"uuid\":\"");
        if (u) {
            memcpy(s->parent, u + 8, 36);
            s->parent[36] = 0;
            s->has_parent = 1;
        }
    }
    free(line);
    fclose(f);
}

/* ====================================================================================== */
/* Codex                                                                                  */
/* ====================================================================================== */

struct xsess {
    char id[37], cwd[128], model[32];
    int64_t now;
    uint64_t prompt, t_in, t_cached, t_out, t_reason, small;
    double used5h, usedwk;
    int64_t reset5h, resetwk;
};

static void x_head(struct xsess *s, const char *type)
{
    char t[80];
    ts(t, s->now);
    w("{\"timestamp\":\"%s\",\"type\":\"%s\",\"payload\":{", t, type);
    t_codex.lines++;
}

static void x_rate_limits(struct xsess *s)
{
    w("\"rate_limits\":{\"limit_id\":\"codex\",\"limit_name\":null,\"primary\":{\"used_percent\":%.1f,"
      "\"window_minutes\":300,\"resets_at\":%" PRId64 "},\"secondary\":{\"used_percent\":%.1f,"
      "\"window_minutes\":10080,\"resets_at\":%" PRId64 "},\"credits\":{\"has_credits\":false,"
      "\"unlimited\":false,\"balance\":null},\"plan_type\":\"plus\"}",
      s->used5h, s->reset5h, s->usedwk, s->resetwk);
}

static void x_msg(struct xsess *s, const char *role, size_t n)
{
    x_head(s, "response_item");
    w("\"type\":\"message\",\"role\":\"%s\",\"content\":[{\"type\":\"%s\",\"text\":\"", role,
      strcmp(role, "assistant") ? "input_text" : "output_text");
    text(n);
    w("\"}]}}\n");
}

static void x_event(struct xsess *s, const char *type, const char *field, size_t n)
{
    x_head(s, "event_msg");
    w("\"type\":\"%s\",\"%s\":\"", type, field);
    text(n);
    w("\"}}\n");
}

static void x_token_count(struct xsess *s, int cold, uint64_t added)
{
    uint64_t in = s->prompt + added, cached;
    if (cold)
        cached = chance(0.5) ? 0 : (rrange(20, 60) * 128);
    else
        cached = (s->prompt / 128) * 128;          /* OpenAI caches in 128-token steps */
    if (cached > in) cached = in / 128 * 128;
    uint64_t o = s->small ? rrange(5, 300) : rrange(40, 4000);
    uint64_t r = o * rrange(0, 80) / 100;
    s->prompt = in + o;
    s->t_in += in, s->t_cached += cached, s->t_out += o, s->t_reason += r;
    s->now += (int64_t)rrange(300, 20000);
    /* the info object is formatted once and re-emitted byte for byte */
    char info[1024];
    int n = snprintf(info, sizeof info,
                     "\"info\":{\"total_token_usage\":{\"input_tokens\":%" PRIu64 ",\"cached_input_tokens\":%" PRIu64
                     ",\"output_tokens\":%" PRIu64 ",\"reasoning_output_tokens\":%" PRIu64 ",\"total_tokens\":%" PRIu64
                     "},\"last_token_usage\":{\"input_tokens\":%" PRIu64 ",\"cached_input_tokens\":%" PRIu64
                     ",\"output_tokens\":%" PRIu64 ",\"reasoning_output_tokens\":%" PRIu64 ",\"total_tokens\":%" PRIu64
                     "},\"model_context_window\":258400},",
                     s->t_in, s->t_cached, s->t_out, s->t_reason, s->t_in + s->t_out, in, cached, o, r, in + o);
    (void)n;
    int times = chance(0.5) ? 2 : 1;
    for (int k = 0; k < times; k++) {
        if (k) {
            s->now += (int64_t)rrange(200, 1500);
            if (chance(0.3)) s->used5h += 1.0;
        }
        x_head(s, "event_msg");
        w("\"type\":\"token_count\",%s", info);
        x_rate_limits(s);
        w("}}\n");
    }
    s->used5h += 0.1;
    if (s->used5h > 99) s->used5h = 1;
    t_codex.requests++;
    t_codex.input += in - cached;
    t_codex.cache_read += cached;
    t_codex.output += o;
}

static void x_file(const char *root, uint64_t target, int64_t start_ms, int small, uint64_t max_requests)
{
    struct xsess s;
    memset(&s, 0, sizeof s);
    s.small = (uint64_t)small;
    s.now = start_ms;
    uint64_t a = rnd();
    /* a UUIDv7-like id whose time prefix is the start */
    snprintf(s.id, sizeof s.id, "%08" PRIx64 "-%04" PRIx64 "-7%03" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
             ((uint64_t)start_ms >> 16) & 0xffffffffu, (uint64_t)start_ms & 0xffff, a & 0xfff,
             0x8000 | ((a >> 12) & 0x3fff), (uint64_t)(rnd() & 0xffffffffffffULL));
    snprintf(s.cwd, sizeof s.cwd, "/home/dev/src/service-%02" PRIu64, rrange(0, 40));
    snprintf(s.model, sizeof s.model, "%s", chance(0.7) ? "gpt-5-codex" : "gpt-5");
    s.used5h = (double)rrange(0, 60);
    s.usedwk = (double)rrange(0, 60);
    s.reset5h = start_ms / 1000 + (int64_t)rrange(600, 18000);
    s.resetwk = start_ms / 1000 + (int64_t)rrange(86400, 604800);

    time_t st = (time_t)(start_ms / 1000);
    struct tm tm;
    gmtime_r(&st, &tm);
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/sessions/%04d/%02d/%02d", root, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    mkdirs(dir);
    snprintf(path, sizeof path, "%s/rollout-%04d-%02d-%02dT%02d-%02d-%02d-%s.jsonl", dir, tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, s.id);
    open_out(path);
    char t[80];
    ts(t, s.now);
    s.now += (int64_t)rrange(2000, 20000);   /* the file is written on the first persist */
    x_head(&s, "session_meta");
    w("\"id\":\"%s\",\"timestamp\":\"%s\",\"cwd\":\"%s\",\"originator\":\"codex_cli_rs\","
      "\"cli_version\":\"0.58.0\",\"source\":\"cli\",\"model_provider\":\"openai\",\"base_instructions\":{\"text\":\"",
      s.id, t, s.cwd);
    text(small ? 200 : rrange(8000, 14000));
    w("\"},\"git\":{\"commit_hash\":\"%016" PRIx64 "%016" PRIx64 "\",\"branch\":\"main\"}}}\n", rnd(), rnd());
    if (!small) {
        x_msg(&s, "developer", rrange(3000, 7000));
        x_msg(&s, "user", rrange(2000, 4000));
    }
    s.prompt = small ? rrange(2000, 6000) : rrange(12000, 20000);
    int cold = 1;
    uint64_t done = 0;
    while (out_bytes < target && done < max_requests) {
        char turn[37];
        uuid(turn);
        s.now += (int64_t)rrange(10000, 600000);
        x_head(&s, "event_msg");
        w("\"type\":\"task_started\",\"turn_id\":\"%s\",\"model_context_window\":258400}}\n", turn);
        if (!small) {
            x_msg(&s, "user", rrange(40, 2000));
            x_event(&s, "user_message", "message", rrange(40, 2000));
        }
        x_head(&s, "turn_context");
        w("\"turn_id\":\"%s\",\"cwd\":\"%s\",\"approval_policy\":\"on-request\",\"sandbox_policy\":{\"type\":"
          "\"workspace-write\",\"writable_roots\":[\"%s\"],\"network_access\":false},\"model\":\"%s\","
          "\"effort\":\"high\",\"summary\":\"auto\",\"user_instructions\":\"",
          turn, s.cwd, s.cwd, s.model);
        text(small ? 20 : rrange(500, 6000));
        w("\",\"truncation_policy\":{\"mode\":\"tokens\",\"limit\":10000}}}\n");
        x_head(&s, "event_msg");
        w("\"type\":\"token_count\",\"info\":null,");
        x_rate_limits(&s);
        w("}}\n");
        unsigned nreq = small ? (unsigned)rrange(1, 8) : (unsigned)rrange(1, 10);
        uint64_t added = rrange(50, 800);
        for (unsigned r = 0; r < nreq && done < max_requests; r++) {
            int tool = r + 1 < nreq && out_bytes < target;
            if (!small) {
                x_head(&s, "response_item");
                w("\"type\":\"reasoning\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"");
                text(rrange(50, 600));
                char enc[8001];
                size_t el = (size_t)rrange(800, 8000);
                b62(enc, el);
                w("\"}],\"content\":null,\"encrypted_content\":\"gAAAAA%s\"}}\n", enc);
                x_event(&s, "agent_reasoning", "text", rrange(50, 600));
            }
            char cid[40];
            prefixed_id(cid, "call_", 24);
            if (tool) {
                x_head(&s, "response_item");
                w("\"type\":\"function_call\",\"name\":\"shell\",\"arguments\":\"{\\\"command\\\":[\\\"bash\\\","
                  "\\\"-lc\\\",\\\"");
                text(small ? 20 : rrange(20, 1500));
                w("\\\"]}\",\"call_id\":\"%s\"}}\n", cid);
            } else if (!small) {
                x_msg(&s, "assistant", rrange(100, 3000));
                x_event(&s, "agent_message", "message", rrange(100, 3000));
            }
            x_token_count(&s, cold, added);
            cold = 0;
            done++;
            added = 0;
            if (tool) {
                size_t n = tool_output_size(small);
                x_head(&s, "response_item");
                w("\"type\":\"function_call_output\",\"call_id\":\"%s\",\"output\":\"", cid);
                text(n);
                w("\"}}\n");
                added = n / 4;
            } else {
                break;
            }
        }
        x_head(&s, "event_msg");
        w("\"type\":\"task_complete\",\"turn_id\":\"%s\",\"last_agent_message\":null}}\n", turn);
    }
    close_out();
    t_codex.files++;
}

/* ====================================================================================== */

static uint64_t parse_size(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    switch (*end) {
    case 'k': case 'K': v *= 1024; break;
    case 'm': case 'M': v *= 1024 * 1024; break;
    case 'g': case 'G': v *= 1024.0 * 1024 * 1024; break;
    case 0: break;
    default: fprintf(stderr, "gen_corpus: bad size '%s'\n", s); exit(2);
    }
    return (uint64_t)v;
}

/* The mean size left for each remaining file, so that overshoot on earlier files (a turn is
 * finished past the target) is paid back and the tree lands near the requested size. */
static uint64_t budget_avg(uint64_t budget, uint64_t used, uint64_t files_left)
{
    if (files_left == 0)
        return 0;
    uint64_t left = budget > used ? budget - used : 0;
    uint64_t avg = left / files_left;
    return avg < 4096 ? 4096 : avg;
}

static void usage(void)
{
    fputs("usage: gen_corpus [--shape mixed|small] [--size BYTES[K|M|G]] [--files N] [--requests N]\n"
          "                  [--seed N] OUTDIR\n"
          "  mixed (default): ~SIZE bytes (default 1G) over ~N files (default 2000), realistic line mix\n"
          "  small: N requests (default 2100000) of small lines, for memory per request\n"
          "writes OUTDIR/claude (a Claude root), OUTDIR/codex (a Codex root), OUTDIR/manifest.json\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    uint64_t size = 1ull << 30, files = 2000, requests = 2100000, seed = 1;
    int small = 0;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--size") && i + 1 < argc) size = parse_size(argv[++i]);
        else if (!strcmp(a, "--files") && i + 1 < argc) files = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "--requests") && i + 1 < argc) requests = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "--seed") && i + 1 < argc) seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "--shape") && i + 1 < argc) {
            const char *v = argv[++i];
            if (!strcmp(v, "small")) small = 1;
            else if (strcmp(v, "mixed")) usage();
        } else if (a[0] == '-') usage();
        else if (!dir) dir = a;
        else usage();
    }
    if (!dir || files < 10)
        usage();
    if (strlen(dir) > 1000) {
        fputs("gen_corpus: OUTDIR too long\n", stderr);
        return 2;
    }
    char croot[1100], xroot[1100];
    snprintf(croot, sizeof croot, "%s/claude", dir);
    snprintf(xroot, sizeof xroot, "%s/codex", dir);
    struct stat st;
    if (!stat(croot, &st) || !stat(xroot, &st)) {
        fprintf(stderr, "gen_corpus: %s already holds a corpus; remove it first\n", dir);
        return 1;
    }
    rng_state = seed * 0x2545F4914F6CDD1DULL + 7;
    pool_init();

    /* Plan: 70% of bytes (and of the requests in the small shape) for Claude over 70% of the
     * files, of which 30% are sub-agent files; the rest Codex. */
    uint64_t x_files = files * 3 / 10, c_files = files - x_files;
    uint64_t c_sub = c_files * 3 / 10, c_main = c_files - c_sub;
    uint64_t c_bytes = small ? UINT64_MAX / 4 : size * 7 / 10, x_bytes = small ? UINT64_MAX / 4 : size - c_bytes;
    uint64_t c_avg = c_bytes / c_files, x_avg = x_bytes / x_files;
    uint64_t c_req_avg = requests * 7 / 10 / c_files, x_req_avg = requests * 3 / 10 / x_files;
    uint64_t nproj = c_main / 12 ? c_main / 12 : 1;
    const int64_t base_ms = 1764547200000LL;   /* 2025-12-01T00:00:00Z */

    char slug[200], pdir[4096], path[8192], prev_path[8192], prev_sid[37];
    uint64_t sub_left = c_sub;
    for (uint64_t m = 0; m < c_main; m++) {
        uint64_t proj = m % nproj, nth = m / nproj;
        struct csess s;
        memset(&s, 0, sizeof s);
        s.small = small;
        snprintf(s.cwd, sizeof s.cwd, "/home/dev/src/project-%03" PRIu64, proj);
        snprintf(slug, sizeof slug, "-home-dev-src-project-%03" PRIu64, proj);
        snprintf(pdir, sizeof pdir, "%s/projects/%s", croot, slug);
        mkdirs(pdir);
        uuid(s.session_id);
        s.old_style = chance(0.2);
        snprintf(s.version, sizeof s.version, "%s", s.old_style ? "1.0.98" : "2.1.120");
        snprintf(s.model, sizeof s.model, "%s", chance(0.7) ? "claude-sonnet-4-5-20250929" : "claude-opus-4-1-20250805");
        s.now = base_ms + (int64_t)(proj * 3600000ULL) + (int64_t)(nth * 86400000ULL * 2) + (int64_t)rrange(0, 3600000);
        s.prompt = rrange(14000, 24000);
        c_avg = budget_avg(c_bytes, all_bytes, c_files - t_claude.files);
        s.target = small ? UINT64_MAX : c_avg / 4 + rnd() % (c_avg * 3 / 2 + 1);
        uint64_t maxreq = small ? c_req_avg / 2 + rnd() % (c_req_avg + 1) : UINT64_MAX;
        snprintf(path, sizeof path, "%s/%s.jsonl", pdir, s.session_id);
        open_out(path);
        if (!small) {
            if (chance(0.3)) c_summary();
            if (chance(0.1)) c_summary();
        }
        int resumed = nth > 0 && !small && chance(0.25);
        if (resumed) {
            c_replay_prefix(&s, prev_path, prev_sid, s.target / 3);
            s.now += (int64_t)rrange(60000, 3 * 3600000);
        }
        c_body(&s, 1, maxreq);
        close_out();
        t_claude.files++;
        memcpy(prev_path, path, sizeof path);
        memcpy(prev_sid, s.session_id, 37);

        /* sub-agent files of this session (2.1.x layout) */
        uint64_t left_main = c_main - m;
        uint64_t nsub = s.old_style ? 0 : (sub_left + left_main - 1) / left_main;
        if (nsub > sub_left) nsub = sub_left;
        if (nsub && chance(0.3)) nsub += rrange(0, 2);
        if (nsub > sub_left) nsub = sub_left;
        sub_left -= nsub;
        for (uint64_t k = 0; k < nsub; k++) {
            struct csess a = s;
            a.subagent = 1;
            a.sidechain = 1;
            a.has_parent = 0;
            a.old_style = 0;
            b62(a.agent_id, 17);
            for (char *p = a.agent_id; *p; p++) *p = "0123456789abcdef"[(unsigned char)*p % 16];
            snprintf(a.model, sizeof a.model, "claude-haiku-4-5-20251001");
            a.now = s.now - (int64_t)rrange(60000, 1800000);
            a.prompt = rrange(9000, 16000);
            c_avg = budget_avg(c_bytes, all_bytes, c_files - t_claude.files);
            a.target = small ? UINT64_MAX : c_avg / 4 + rnd() % (c_avg * 3 / 2 + 1);
            uint64_t amax = small ? c_req_avg / 2 + rnd() % (c_req_avg + 1) : UINT64_MAX;
            snprintf(path, sizeof path, "%s/%s/subagents", pdir, s.session_id);
            mkdirs(path);
            snprintf(path, sizeof path, "%s/%s/subagents/agent-%s.meta.json", pdir, s.session_id, a.agent_id);
            open_out(path);
            w("{\"agentType\":\"general-purpose\",\"description\":\"bench sub-agent\"}\n");
            fclose(out);
            snprintf(path, sizeof path, "%s/%s/subagents/agent-%s.jsonl", pdir, s.session_id, a.agent_id);
            open_out(path);
            c_body(&a, 1, amax);
            close_out();
            t_claude.files++;
        }
    }
    t_claude.bytes = all_bytes;

    for (uint64_t i = 0; i < x_files; i++) {
        int64_t start = base_ms + (int64_t)(i * (60ULL * 86400000ULL / x_files)) + (int64_t)rrange(0, 3600000);
        x_avg = budget_avg(x_bytes, all_bytes - t_claude.bytes, x_files - i);
        uint64_t target = small ? UINT64_MAX : x_avg / 4 + rnd() % (x_avg * 3 / 2 + 1);
        uint64_t xmax = small ? x_req_avg / 2 + rnd() % (x_req_avg + 1) : UINT64_MAX;
        x_file(xroot, target, start, small, xmax);
    }
    t_codex.bytes = all_bytes - t_claude.bytes;

    /* the ground truth, outside both roots so neither tool reads it */
    char mpath[4200];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
    FILE *mf = fopen(mpath, "w");
    if (!mf)
        die(mpath);
    for (int pass = 0; pass < 2; pass++) {
        FILE *f = pass ? stdout : mf;
        fprintf(f, "{\"shape\":\"%s\",\"seed\":%" PRIu64 ",\"size\":%" PRIu64 ",\"files_arg\":%" PRIu64
                   ",\"requests_arg\":%" PRIu64 ",\n", small ? "small" : "mixed", seed, size, files, requests);
        const struct truth *t[2] = {&t_claude, &t_codex};
        const char *nm[2] = {"claude", "codex"};
        for (int k = 0; k < 2; k++)
            fprintf(f, " \"%s\":{\"files\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"lines\":%" PRIu64
                       ",\"requests\":%" PRIu64 ",\"input_tokens\":%" PRIu64 ",\"output_tokens\":%" PRIu64
                       ",\"cache_creation_tokens\":%" PRIu64 ",\"cache_read_tokens\":%" PRIu64 "}%s\n",
                    nm[k], t[k]->files, t[k]->bytes, t[k]->lines, t[k]->requests, t[k]->input, t[k]->output,
                    t[k]->cache_creation, t[k]->cache_read, k ? "" : ",");
        fprintf(f, "}\n");
    }
    fclose(mf);
    return 0;
}

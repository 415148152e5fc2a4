/* lines.h — builders for synthetic transcript lines in the exact shapes Claude Code and Codex
 * write (transcript-formats.md), so model tests read like scenarios: "at minute 4, a request
 * reading 16,702 and writing 23,849". Test-only. */
#ifndef CACHETOP_TEST_LINES_H
#define CACHETOP_TEST_LINES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cachetop/model.h"
#include "cachetop/timefmt.h"

/* 2025-11-10T09:00:00Z */
#define T0 1762765200000LL
#define MIN(x) ((int64_t)((x) * 60000.0))

struct cl {
	const char *sid, *uuid, *parent, *msg, *req, *model, *version, *agent_id;
	int64_t t;
	unsigned in, c5, c1, cr, out;
	bool side;
};

static inline size_t cl_assistant(char *b, size_t cap, const struct cl *c)
{
	char ts[32], parent[80], agent[80];
	rfc3339_format(c->t, ts);
	if (c->parent)
		snprintf(parent, sizeof parent, "\"%s\"", c->parent);
	else
		snprintf(parent, sizeof parent, "null");
	agent[0] = 0;
	if (c->agent_id)
		snprintf(agent, sizeof agent, "\"agentId\":\"%s\",", c->agent_id);
	return (size_t)snprintf(b, cap,
		"{\"parentUuid\":%s,\"isSidechain\":%s,%s\"userType\":\"external\",\"cwd\":\"/home/dev/api\","
		"\"sessionId\":\"%s\",\"version\":\"%s\",\"gitBranch\":\"main\",\"message\":{\"id\":\"%s\","
		"\"type\":\"message\",\"role\":\"assistant\",\"model\":\"%s\",\"content\":[{\"type\":\"text\","
		"\"text\":\"ok\"}],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":%u,"
		"\"cache_creation_input_tokens\":%u,\"cache_read_input_tokens\":%u,\"cache_creation\":{"
		"\"ephemeral_5m_input_tokens\":%u,\"ephemeral_1h_input_tokens\":%u},\"output_tokens\":%u,"
		"\"service_tier\":\"standard\"}},\"requestId\":\"%s\",\"type\":\"assistant\",\"uuid\":\"%s\","
		"\"timestamp\":\"%s\"}",
		parent, c->side ? "true" : "false", agent, c->sid, c->version ? c->version : "2.1.116", c->msg,
		c->model ? c->model : "claude-sonnet-4-5-20250929", c->in, c->c5 + c->c1, c->cr, c->c5, c->c1,
		c->out, c->req, c->uuid, ts);
}

static inline size_t cl_user(char *b, size_t cap, const char *sid, const char *uuid, const char *parent,
			     int64_t t, const char *version)
{
	char ts[32], par[80];
	rfc3339_format(t, ts);
	if (parent)
		snprintf(par, sizeof par, "\"%s\"", parent);
	else
		snprintf(par, sizeof par, "null");
	return (size_t)snprintf(b, cap,
		"{\"parentUuid\":%s,\"isSidechain\":false,\"userType\":\"external\",\"cwd\":\"/home/dev/api\","
		"\"sessionId\":\"%s\",\"version\":\"%s\",\"gitBranch\":\"main\",\"type\":\"user\",\"message\":"
		"{\"role\":\"user\",\"content\":[{\"tool_use_id\":\"toolu_1\",\"type\":\"tool_result\","
		"\"content\":\"No files found\"}]},\"uuid\":\"%s\",\"timestamp\":\"%s\"}",
		par, sid, version ? version : "2.1.116", uuid, ts);
}

static inline size_t codex_tokens(char *b, size_t cap, int64_t t, const unsigned tot[4], const unsigned last[4])
{
	char ts[32];
	rfc3339_format(t, ts);
	return (size_t)snprintf(b, cap,
		"{\"timestamp\":\"%s\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\",\"info\":{"
		"\"total_token_usage\":{\"input_tokens\":%u,\"cached_input_tokens\":%u,\"output_tokens\":%u,"
		"\"reasoning_output_tokens\":%u,\"total_tokens\":%u},\"last_token_usage\":{\"input_tokens\":%u,"
		"\"cached_input_tokens\":%u,\"output_tokens\":%u,\"reasoning_output_tokens\":%u,\"total_tokens\":%u},"
		"\"model_context_window\":258400},\"rate_limits\":{\"limit_id\":\"codex\",\"primary\":{"
		"\"used_percent\":13.0,\"window_minutes\":300,\"resets_at\":1762783200},\"secondary\":{"
		"\"used_percent\":4.0,\"window_minutes\":10080,\"resets_at\":1763200000}}}}",
		ts, tot[0], tot[1], tot[2], tot[3], tot[0] + tot[2], last[0], last[1], last[2], last[3],
		last[0] + last[2]);
}

static inline void feed(struct model *m, uint32_t f, const char *line)
{
	model_feed(m, f, line, strlen(line));
}

/* The cause of the request with this message id (searching the requests' events). */
static inline const struct cache_event *event_at(const struct model *m, int64_t t)
{
	for (size_t i = 0; i < model_event_count(m); i++) {
		const struct cache_event *e = model_event(m, i);
		if (model_request(m, e->request)->t == t)
			return e;
	}
	return NULL;
}

static inline size_t count_cause(const struct model *m, enum cause c)
{
	size_t n = 0;
	for (size_t i = 0; i < model_event_count(m); i++)
		n += model_event(m, i)->cause == c;
	return n;
}

#endif

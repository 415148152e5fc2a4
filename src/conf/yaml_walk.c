/* yaml_walk.c — the conf layer's only contact with libyaml: safe file reading, document loading,
 * error messages with 1-based FILE:LINE:COL, strict scalar conversion and the alias guard. The
 * loaders above it know their schema; this file knows none. */
#include "yaml_walk.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static void err_set(struct conf_err *err, int line, int col, const char *fmt, ...) CT_PRINTF(4, 5);

static void err_set(struct conf_err *err, int line, int col, const char *fmt, ...)
{
	if (!err)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	err->line = line;
	err->col = col;
}

int yw_read_file(const char *path, char **text, size_t *n, bool *missing, struct conf_err *err)
{
	*text = NULL;
	*n = 0;
	if (missing)
		*missing = false;
	/* O_NONBLOCK so that a FIFO given by mistake cannot hang us; it is refused below anyway. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (missing)
			*missing = (errno == ENOENT);
		err_set(err, 0, 0, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		err_set(err, 0, 0, "%s: cannot stat: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
		err_set(err, 0, 0, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (st.st_size > (off_t)YW_MAX_FILE) {
		err_set(err, 0, 0, "%s: file too large (%lld bytes, limit %u)", path,
			(long long)st.st_size, YW_MAX_FILE);
		close(fd);
		return -1;
	}
	size_t cap = (size_t)st.st_size + 1, len = 0;
	char *buf = xmalloc(cap + 1);
	for (;;) {
		if (len == cap) { /* the file grew while we read it: allow up to the cap */
			if (cap >= YW_MAX_FILE) {
				err_set(err, 0, 0, "%s: file too large (limit %u bytes)", path, YW_MAX_FILE);
				free(buf);
				close(fd);
				return -1;
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err_set(err, 0, 0, "%s: cannot read: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	*text = buf;
	*n = len;
	return 0;
}

/* libyaml reader errors carry a byte offset only: derive line/col from the text. */
static void offset_to_mark(const char *text, size_t n, size_t off, int *line, int *col)
{
	int l = 1, c = 1;
	for (size_t i = 0; i < off && i < n; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* libyaml's scanner re-checks every open flow level on each token, so "[[[[…" costs
 * O(depth²): 100,000 levels take minutes. No config needs more than a handful, so measure the
 * flow depth first (outside comments and quoted scalars) and refuse deep input up front. Returns
 * the offset of the first bracket beyond the limit, or n when the input is within it. */
static size_t flow_too_deep(const char *s, size_t n)
{
	int depth = 0;
	bool tok_start = true; /* a quote only opens a scalar where a token may start */
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '#' && tok_start) {
			while (i < n && s[i] != '\n')
				i++;
			tok_start = true;
			continue;
		}
		if ((ch == '\'' || ch == '"') && tok_start) {
			for (i++; i < n; i++) {
				if (ch == '"' && s[i] == '\\') {
					i++;
				} else if (s[i] == ch) {
					if (ch == '\'' && i + 1 < n && s[i + 1] == '\'')
						i++; /* '' is an escaped quote */
					else
						break;
				}
			}
			tok_start = false;
			continue;
		}
		if (ch == '[' || ch == '{') {
			if (++depth > YW_MAX_FLOW_DEPTH)
				return i;
		} else if ((ch == ']' || ch == '}') && depth > 0) {
			depth--;
		}
		tok_start = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '[' || ch == '{' ||
			    ch == ',' || ch == ':' || ch == '-' || ch == '?';
	}
	return n;
}

int yw_open(struct ywalk *w, const char *name, const char *text, size_t n, struct conf_err *err)
{
	memset(w, 0, sizeof *w);
	w->name = name ? name : "(memory)";
	w->err = err;
	if (err) {
		err->msg[0] = '\0';
		err->line = err->col = 0;
	}
	if (n > YW_MAX_FILE) {
		yw_error(w, NULL, "input too large (%zu bytes, limit %u)", n, YW_MAX_FILE);
		return -1;
	}
	size_t deep = text ? flow_too_deep(text, n) : n;
	if (deep < n) {
		int line, col;
		offset_to_mark(text, n, deep, &line, &col);
		w->nerr++;
		err_set(err, line, col, "%s:%d:%d: nested deeper than %d levels", w->name, line, col, YW_MAX_FLOW_DEPTH);
		return -1;
	}
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		ct_fatal("libyaml: cannot initialise a parser");
	yaml_parser_set_input_string(&p, (const unsigned char *)(text ? text : ""), text ? n : 0);
	int rc = 0;
	if (!yaml_parser_load(&p, &w->doc)) {
		int line, col;
		if (p.error == YAML_READER_ERROR) {
			offset_to_mark(text, n, p.problem_offset, &line, &col);
		} else {
			line = (int)p.problem_mark.line + 1;
			col = (int)p.problem_mark.column + 1;
		}
		w->nerr++;
		if (p.context)
			err_set(err, line, col, "%s:%d:%d: %s %s", w->name, line, col, p.problem ? p.problem : "YAML error", p.context);
		else
			err_set(err, line, col, "%s:%d:%d: %s", w->name, line, col, p.problem ? p.problem : "YAML error");
		rc = -1;
	} else {
		w->have_doc = true;
		/* One document per file: a second one is almost certainly a mistake ("---" pasted). */
		if (yaml_document_get_root_node(&w->doc)) {
			yaml_document_t extra;
			if (yaml_parser_load(&p, &extra)) {
				yaml_node_t *r = yaml_document_get_root_node(&extra);
				if (r)
					yw_error(w, r, "more than one YAML document (only the first is read)");
				yaml_document_delete(&extra);
			} else {
				int line = (int)p.problem_mark.line + 1, col = (int)p.problem_mark.column + 1;
				if (p.error == YAML_READER_ERROR)
					offset_to_mark(text, n, p.problem_offset, &line, &col);
				w->nerr++;
				err_set(err, line, col, "%s:%d:%d: %s", w->name, line, col,
					p.problem ? p.problem : "YAML error");
			}
		}
		w->nnodes = (size_t)(w->doc.nodes.top - w->doc.nodes.start);
		w->entered = xcalloc(w->nnodes + 1, 1);
	}
	yaml_parser_delete(&p);
	return rc;
}

void yw_close(struct ywalk *w)
{
	if (w->have_doc)
		yaml_document_delete(&w->doc);
	w->have_doc = false;
	free(w->entered);
	w->entered = NULL;
}

int yw_finish(struct ywalk *w)
{
	if (w->nerr == 0)
		return 0;
	if (w->nerr > 1 && w->err) {
		size_t len = strlen(w->err->msg);
		if (len < sizeof w->err->msg)
			snprintf(w->err->msg + len, sizeof w->err->msg - len, " (and %d more)", w->nerr - 1);
	}
	return -1;
}

yaml_node_t *yw_root(struct ywalk *w)
{
	if (!w->have_doc)
		return NULL;
	yaml_node_t *r = yaml_document_get_root_node(&w->doc);
	if (r && r->type != YAML_SCALAR_NODE)
		w->entered[1] = 1; /* the root is node 1 */
	return r;
}

yaml_node_t *yw_child(struct ywalk *w, const yaml_node_t *from, int id)
{
	yaml_node_t *n = w->have_doc ? yaml_document_get_node(&w->doc, id) : NULL;
	if (!n) {
		yw_error(w, from, "internal YAML node error");
		return NULL;
	}
	if (n->type == YAML_SCALAR_NODE)
		return n;
	if (w->entered[id]) {
		yw_error(w, n, "aliases to lists or mappings are not allowed (used again here)");
		return NULL;
	}
	w->entered[id] = 1;
	return n;
}

void yw_error(struct ywalk *w, const yaml_node_t *n, const char *fmt, ...)
{
	w->nerr++;
	if (w->nerr > 1 || !w->err)
		return;
	int line = n ? (int)n->start_mark.line + 1 : 0, col = n ? (int)n->start_mark.column + 1 : 0;
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (n)
		err_set(w->err, line, col, "%s:%d:%d: %s", w->name, line, col, what);
	else
		err_set(w->err, 0, 0, "%s: %s", w->name, what);
}

const char *yw_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE: return "a mapping";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_SCALAR_NODE: return "a scalar";
	default: return "nothing";
	}
}

/* Scalar text, refusing embedded NUL bytes (a double-quoted "\0" can produce them). */
static const char *scalar(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE)
		return NULL;
	const char *s = (const char *)n->data.scalar.value;
	if (strlen(s) != n->data.scalar.length)
		return NULL;
	return s;
}

int yw_str(struct ywalk *w, const yaml_node_t *n, const char *what, const char **out)
{
	const char *s = scalar(n);
	if (!s) {
		if (n->type == YAML_SCALAR_NODE)
			yw_error(w, n, "%s: contains a NUL byte", what);
		else
			yw_error(w, n, "%s: expected a string, found %s", what, yw_kind(n));
		return -1;
	}
	*out = s;
	return 0;
}

int yw_bool(struct ywalk *w, const yaml_node_t *n, const char *what, bool *out)
{
	static const char *yes[] = { "true", "yes", "on" }, *no[] = { "false", "no", "off" };
	const char *s = scalar(n);
	if (s) {
		for (size_t i = 0; i < 3; i++) {
			if (strcasecmp(s, yes[i]) == 0) {
				*out = true;
				return 0;
			}
			if (strcasecmp(s, no[i]) == 0) {
				*out = false;
				return 0;
			}
		}
		yw_error(w, n, "%s: expected true or false, found \"%.40s\"", what, s);
	} else {
		yw_error(w, n, "%s: expected true or false, found %s", what, yw_kind(n));
	}
	return -1;
}

/* Decimal numbers only: no hex, no inf/nan, no trailing junk. Underscores (YAML 1.1) allowed. */
static bool parse_number(const char *s, double *out)
{
	char tmp[64];
	size_t j = 0;
	for (size_t i = 0; s[i]; i++) {
		char ch = s[i];
		if (ch == '_')
			continue;
		if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' || ch == 'e' || ch == 'E'))
			return false;
		if (j + 1 >= sizeof tmp)
			return false;
		tmp[j++] = ch;
	}
	tmp[j] = '\0';
	if (j == 0)
		return false;
	char *end;
	errno = 0;
	double v = strtod(tmp, &end);
	if (*end || errno == ERANGE || !isfinite(v))
		return false;
	*out = v;
	return true;
}

int yw_double(struct ywalk *w, const yaml_node_t *n, const char *what, double lo, double hi, double *out)
{
	const char *s = scalar(n);
	double v;
	if (!s) {
		yw_error(w, n, "%s: expected a number, found %s", what, yw_kind(n));
		return -1;
	}
	if (!parse_number(s, &v)) {
		yw_error(w, n, "%s: expected a number, found \"%.40s\"", what, s);
		return -1;
	}
	if (v < lo || v > hi) {
		yw_error(w, n, "%s: %g is out of range (%g to %g)", what, v, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int yw_int(struct ywalk *w, const yaml_node_t *n, const char *what, long long lo, long long hi, long long *out)
{
	const char *s = scalar(n);
	if (!s) {
		yw_error(w, n, "%s: expected a whole number, found %s", what, yw_kind(n));
		return -1;
	}
	char tmp[32];
	size_t j = 0;
	bool ok = *s != '\0';
	for (size_t i = 0; s[i] && ok; i++) {
		if (s[i] == '_')
			continue;
		if (!((s[i] >= '0' && s[i] <= '9') || (i == 0 && (s[i] == '-' || s[i] == '+'))) || j + 1 >= sizeof tmp)
			ok = false;
		else
			tmp[j++] = s[i];
	}
	tmp[j] = '\0';
	long long v = 0;
	if (ok) {
		char *end;
		errno = 0;
		v = strtoll(tmp, &end, 10);
		ok = j > 0 && *end == '\0' && errno != ERANGE && end != tmp;
	}
	if (!ok) {
		yw_error(w, n, "%s: expected a whole number, found \"%.40s\"", what, s);
		return -1;
	}
	if (v < lo || v > hi) {
		yw_error(w, n, "%s: %lld is out of range (%lld to %lld)", what, v, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int yw_strlist(struct ywalk *w, const yaml_node_t *n, const char *what, char ***out, size_t *count)
{
	*out = NULL;
	*count = 0;
	const char *s = NULL;
	if (n->type == YAML_SCALAR_NODE) {
		if (yw_str(w, n, what, &s) != 0)
			return -1;
		if (!*s) {
			yw_error(w, n, "%s: empty path", what);
			return -1;
		}
		*out = xmalloc(sizeof **out);
		(*out)[0] = yw_expand_home(s);
		*count = 1;
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		yw_error(w, n, "%s: expected a list of paths or one path, found %s", what, yw_kind(n));
		return -1;
	}
	size_t cap = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	char **v = xcalloc(cap ? cap : 1, sizeof *v);
	size_t k = 0;
	int rc = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *c = yw_child(w, n, *it);
		if (!c || yw_str(w, c, what, &s) != 0) {
			rc = -1;
			continue;
		}
		if (!*s) {
			yw_error(w, c, "%s: empty path", what);
			rc = -1;
			continue;
		}
		v[k++] = yw_expand_home(s);
	}
	*out = v;
	*count = k;
	return rc;
}

char *yw_expand_home(const char *s)
{
	const char *home = getenv("HOME");
	if (s[0] == '~' && (s[1] == '/' || s[1] == '\0') && home && *home) {
		struct buf b = { 0 };
		buf_puts(&b, home);
		buf_puts(&b, s + 1);
		return b.data;
	}
	return xstrdup(s);
}

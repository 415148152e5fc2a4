/* sanitize.h — makes text taken from a transcript safe for a terminal: C0/C1 controls, ESC
 * sequences, DEL, bidi overrides/isolates and other invisible format characters are removed or
 * replaced, invalid UTF-8 becomes U+FFFD ('?' in ASCII mode). Pure; used by the view and by the
 * text report before anything reaches a terminal. */
#ifndef CACHETOP_SANITIZE_H
#define CACHETOP_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

/* Write the sanitised form of s[0..n) into out (cap bytes, NUL-terminated, cut at a character
 * boundary). utf8=false: only printable ASCII survives, everything else becomes '?'.
 * Returns the output length in bytes. */
size_t sanitize_text(const char *s, size_t n, char *out, size_t cap, bool utf8);
/* Heap copy of sanitize_text(s, strlen(s)). */
char *sanitize_dup(const char *s, bool utf8);
/* Heap copy of s with only its invalid UTF-8 replaced by U+FFFD (controls kept): for writers
 * that escape controls themselves but must emit valid UTF-8, such as JSON output. */
char *sanitize_utf8_dup(const char *s);

#endif

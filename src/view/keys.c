/* keys.c — the key table: one place that says which key does what (htop's Action.c idea), so
 * the help overlay and the handlers cannot disagree. */
#include "tui_private.h"

static const struct {
	int key;
	enum tui_action act;
} key_table[] = {
	{KEY_UP, ACT_UP}, {'k', ACT_UP}, {KEY_DOWN, ACT_DOWN}, {'j', ACT_DOWN},
	{KEY_PPAGE, ACT_PGUP}, {KEY_NPAGE, ACT_PGDN}, {KEY_HOME, ACT_HOME}, {'g', ACT_HOME},
	{KEY_END, ACT_END}, {'G', ACT_END}, {KEY_ENTER, ACT_OPEN}, {'\n', ACT_OPEN}, {'\r', ACT_OPEN},
	{KEY_RIGHT, ACT_OPEN}, {'l', ACT_LIMITS}, {KEY_LEFT, ACT_BACK}, {27, ACT_BACK}, {'h', ACT_BACK},
	{KEY_BACKSPACE, ACT_BACK}, {'/', ACT_FILTER}, {'s', ACT_SORT}, {'a', ACT_AGENT},
	{'t', ACT_THEME}, {'p', ACT_PAUSE}, {'?', ACT_HELP}, {KEY_F(1), ACT_HELP}, {'q', ACT_QUIT},
	{'Q', ACT_QUIT}, {KEY_MOUSE, ACT_MOUSE},
};

enum tui_action keys_action(int ch)
{
	for (size_t i = 0; i < sizeof key_table / sizeof key_table[0]; i++)
		if (key_table[i].key == ch)
			return key_table[i].act;
	return ACT_NONE;
}

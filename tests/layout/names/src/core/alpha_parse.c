/* alpha's own file may say Alpha */
int alpha_parse(void) { return 0; }

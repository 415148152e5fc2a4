/* a fixture table: two agents */
static const struct { const char *name; } t[] = { { .name = "alpha" }, { .name = "beta" } };

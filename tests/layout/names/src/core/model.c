/* a generic file that says the agent's name: the check must fail on it (an alphabet does not) */
int model_apply_beta(void) { return 1; }

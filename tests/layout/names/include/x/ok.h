/* alphabetical, betamax: not names */
/* "alpha-2-large" is a model's id, "--beta-dir" an option's */

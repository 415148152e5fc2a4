/* bench_run.c — one timed run of a command, for the benchmark scripts: the wall time from just
 * before fork to the child's exit (a monotonic clock, nanoseconds), its peak RSS and its user +
 * system CPU (wait4's rusage, microseconds: no 10 ms ticks). Prints "wall_ns rss_kib cpu_s" on
 * the file named by the first argument; stdout and stderr of the command go to the next two ("-":
 * left as they are, e.g. a terminal for the dashboard).
 * The shell's own clock reads cost a fork each (5–10 ms on a loaded machine), more than a warm
 * start takes, so they are kept out of the interval.
 *
 * usage: bench_run TIMES OUT ERR CMD [ARG...]   (exit status: the command's) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: bench_run TIMES OUT ERR CMD [ARG...]\n");
		return 2;
	}
	int out = strcmp(argv[2], "-") ? open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : STDOUT_FILENO;
	int err = strcmp(argv[3], "-") ? open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : STDERR_FILENO;
	if (out < 0 || err < 0) {
		perror("bench_run");
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("bench_run: fork");
		return 2;
	}
	if (pid == 0) {
		if (out != STDOUT_FILENO)
			dup2(out, STDOUT_FILENO);
		if (err != STDERR_FILENO)
			dup2(err, STDERR_FILENO);
		execvp(argv[4], argv + 4);
		perror("bench_run: exec");
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("bench_run: wait4");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long long wall = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
	double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
		     ru.ru_stime.tv_usec / 1e6;
	FILE *f = fopen(argv[1], "w");
	if (!f) {
		perror("bench_run");
		return 2;
	}
	fprintf(f, "%lld %ld %.6f\n", wall, ru.ru_maxrss, cpu);
	fclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

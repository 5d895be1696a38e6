/*
 * The benchmark's SHARED event mix on this machine's real kernel (see
 * bench/mix.ts): 13 system calls a round, the child's share done by the child.
 *
 *   parent: fork
 *   child:  open /proc/self/status, lstat /proc/self/mem, close,
 *           open /etc/passwd, close, pipe, close, close,
 *           lstat /proc/self/status, _exit
 *   parent: lstat /proc/self/cwd, waitpid
 *
 * Usage: real_kernel SECONDS  -> prints one line of JSON:
 *   {"rounds":N,"events":N,"seconds":S,"eventsPerSec":R,"eventsPerRound":13,
 *    "cpuSeconds":C,"eventsPerCpuSec":E,"windows":[...]}
 * eventsPerSec is the median of 5 windows of SECONDS/5 each (after a warm-up);
 * eventsPerCpuSec divides by the CPU time of this process and its children.
 * A failing system call is reported on stderr and the program exits 1.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EVENTS_PER_ROUND 13
#define WINDOWS 5

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds used so far by this process and its reaped children (user + system). */
static double cpu_seconds(void) {
	struct rusage self, kids;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) +
	       (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) / 1e6;
}

static void die(const char *what) {
	fprintf(stderr, "real_kernel: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The child's share; returns its exit status (0: every call succeeded). */
static int child(void) {
	struct stat st;
	int fds[2];
	int fd = open("/proc/self/status", O_RDONLY);
	if (fd < 0) return 10;
	if (lstat("/proc/self/mem", &st) != 0) return 11;
	if (close(fd) != 0) return 12;
	fd = open("/etc/passwd", O_RDONLY);
	if (fd < 0) return 13;
	if (close(fd) != 0) return 14;
	if (pipe(fds) != 0) return 15;
	if (close(fds[0]) != 0) return 16;
	if (close(fds[1]) != 0) return 17;
	if (lstat("/proc/self/status", &st) != 0) return 18;
	return 0;
}

static void round_once(void) {
	struct stat st;
	int status;
	pid_t pid = fork();
	if (pid < 0) die("fork");
	if (pid == 0) _exit(child());
	if (lstat("/proc/self/cwd", &st) != 0) die("lstat /proc/self/cwd");
	if (waitpid(pid, &status, 0) != pid) die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "real_kernel: child failed with status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		exit(1);
	}
}

static int cmp_double(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
	double seconds = argc > 1 ? atof(argv[1]) : 2.0;
	double rates[WINDOWS], sorted[WINDOWS];
	long rounds = 0;
	double total = 0, cpu0;
	if (seconds <= 0) seconds = 2.0;
	/* warm-up */
	for (int i = 0; i < 50; i++) round_once();
	cpu0 = cpu_seconds();
	/* WINDOWS windows of seconds / WINDOWS each; the median window rate, as the emulator side does */
	for (int w = 0; w < WINDOWS; w++) {
		long n = 0;
		double t0 = now(), t;
		do {
			for (int i = 0; i < 20; i++) round_once();
			n += 20;
			t = now();
		} while (t - t0 < seconds / WINDOWS);
		rates[w] = (double)(n * EVENTS_PER_ROUND) / (t - t0);
		rounds += n;
		total += t - t0;
	}
	memcpy(sorted, rates, sizeof rates);
	qsort(sorted, WINDOWS, sizeof sorted[0], cmp_double);
	cpu0 = cpu_seconds() - cpu0;
	printf("{\"rounds\":%ld,\"events\":%ld,\"seconds\":%.6f,\"eventsPerSec\":%.1f,\"eventsPerRound\":%d,"
	       "\"cpuSeconds\":%.6f,\"eventsPerCpuSec\":%.1f,\"windows\":[",
	       rounds, rounds * EVENTS_PER_ROUND, total, sorted[WINDOWS / 2], EVENTS_PER_ROUND,
	       cpu0, (double)(rounds * EVENTS_PER_ROUND) / cpu0);
	for (int w = 0; w < WINDOWS; w++) printf("%s%.1f", w ? "," : "", rates[w]);
	printf("]}\n");
	return 0;
}

/* The physical bounds the benchmark compares with.
 *   rawio write PATH MIB   write() MIB of touched memory to a new file
 *   rawio read PATH        read() a whole file into fresh memory
 * Prints the seconds the write()s or read()s took (memory is prepared
 * outside the timing). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static char *fresh(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		exit(3);
	return p;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "write") == 0) {
		size_t len = strtoull(argv[3], NULL, 0) << 20;
		char *buf = fresh(len);
		for (size_t i = 0; i < len; i += 4096)
			buf[i] = (char)(i >> 12);
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
		double t0 = mono();
		for (size_t done = 0; done < len;) {
			ssize_t n = write(fd, buf + done, len - done);
			if (n <= 0)
				return 4;
			done += n;
		}
		double t1 = mono();
		close(fd);
		printf("%.9f\n", t1 - t0);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "read") == 0) {
		struct stat st;
		int fd = open(argv[2], O_RDONLY);
		if (fd < 0 || fstat(fd, &st) != 0)
			return 4;
		char *buf = fresh(st.st_size);
		double t0 = mono();
		for (off_t done = 0; done < st.st_size;) {
			ssize_t n = read(fd, buf + done, st.st_size - done);
			if (n <= 0)
				return 4;
			done += n;
		}
		printf("%.9f\n", mono() - t0);
		return 0;
	}
	fprintf(stderr, "usage: rawio write PATH MIB | rawio read PATH\n");
	return 2;
}

// ckpt: the command a user runs. It starts a program with the runtime
// preloaded (libckpt.so), asks a running one for a checkpoint and waits
// for its outcome, and restores or describes an image through the
// restorer. An ordinary program: libc is fine here. libckpt.so and the
// restorer are found beside it.
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/ckpt.h"
#include "runtime/signal_names.h"

#include <string>
#include <vector>

namespace {

const char usage_text[] =
	"usage: ckpt run [--image PATH] [--signal SIG] [--interval SECONDS]\n"
	"                [--fork] [--children] [--files RULES]\n"
	"                [--incremental [--full-every K]] -- PROGRAM [ARGS...]\n"
	"       ckpt checkpoint [--no-wait] [--timeout SECONDS] PID\n"
	"       ckpt restore [RESTORER OPTIONS] IMAGE\n"
	"       ckpt info IMAGE\n"
	"       ckpt merge IMAGE OUT\n"
	"       ckpt COMMAND --help\n";

const char run_help[] =
	"ckpt run [OPTIONS] -- PROGRAM [ARGS...]\n"
	"  Runs PROGRAM (a dynamically linked program) with the checkpoint\n"
	"  runtime preloaded. A checkpoint is taken when the process gets the\n"
	"  checkpoint signal (ckpt checkpoint PID) or every SECONDS.\n"
	"  --image PATH        where images go (default: PROGRAM's name +\n"
	"                      .ckpt in its working directory)\n"
	"  --signal SIG        the checkpoint signal (default USR2)\n"
	"  --interval SECONDS  a checkpoint every SECONDS (fractions too)\n"
	"  --fork              a copy-on-write child writes each image\n"
	"  --children          programs PROGRAM executes get the runtime too\n"
	"  --files RULES       what a restore does to the files PROGRAM had\n"
	"                      open for writing: POLICY[:PATTERN],... with\n"
	"                      POLICY keep (default), truncate (back to the\n"
	"                      size at the checkpoint: logs, outputs) or\n"
	"                      snapshot (the contents at the checkpoint:\n"
	"                      databases); the first rule whose PATTERN ('*'\n"
	"                      any characters) matches the path applies\n"
	"  --incremental       after a full image, images store only the pages\n"
	"                      written since the one before (IMAGE.0, ...)\n"
	"  --full-every K      with --incremental: a full image after K\n"
	"                      increments (default 15)\n"
	"  The exit status is PROGRAM's; 1 if it cannot be started.\n";

const char checkpoint_help[] =
	"ckpt checkpoint [--no-wait] [--timeout SECONDS] PID\n"
	"  Asks process PID (started by ckpt run, or linked with runtime.o)\n"
	"  for a checkpoint and waits until it has ended: prints the image's\n"
	"  path and exits 0, or prints the runtime's reason and exits 1.\n"
	"  --no-wait           send the request and exit 0\n"
	"  --timeout SECONDS   give up after SECONDS (default 600; 0: never)\n";

const char restore_help[] =
	"ckpt restore [--lazy] [--allow-missing-files] [--allow-changed-files]\n"
	"             [--stdio=inherit|image] IMAGE\n"
	"  Resumes the process saved in IMAGE (runs the restorer; restorer\n"
	"  --help says what each option does).\n";

const char info_help[] = "ckpt info IMAGE\n"
			 "  Prints what IMAGE holds (restorer --info).\n";

const char merge_help[] =
	"ckpt merge IMAGE OUT\n"
	"  Writes IMAGE, an incremental image, with the chain of images it\n"
	"  was made from as one full image to OUT (restorer --merge).\n";

[[noreturn]] void usage_error(const char *fmt, const char *arg = "")
{
	fprintf(stderr, "ckpt: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_text);
	exit(2);
}

[[noreturn]] void fail(const std::string &what)
{
	fprintf(stderr, "ckpt: %s\n", what.c_str());
	exit(1);
}

bool is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

// The directory this program is in: libckpt.so and the restorer are
// there too.
std::string own_dir()
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		fail(std::string("cannot read /proc/self/exe: ") +
		     strerror(errno));
	buf[n] = 0;
	std::string path(buf);
	return path.substr(0, path.rfind('/'));
}

// PROGRAM as execvp() would find it.
std::string find_program(const char *name)
{
	if (strchr(name, '/'))
		return name;
	const char *path = getenv("PATH");
	std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
	for (size_t start = 0; start <= dirs.size();) {
		size_t end = dirs.find(':', start);
		if (end == std::string::npos)
			end = dirs.size();
		std::string dir = dirs.substr(start, end - start);
		std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
		if (access(candidate.c_str(), X_OK) == 0)
			return candidate;
		start = end + 1;
	}
	fail(std::string(name) + ": command not found");
}

// Why LD_PRELOAD cannot bring the runtime into program, or "".
std::string unpreloadable(const std::string &program)
{
	struct stat st;
	if (stat(program.c_str(), &st) < 0)
		return program + ": " + strerror(errno);
	if (st.st_mode & (S_ISUID | S_ISGID))
		return program + " is setuid or setgid: the dynamic linker "
				 "ignores LD_PRELOAD for it";
	int fd = open(program.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return program + ": " + strerror(errno);
	Elf64_Ehdr eh;
	std::string why;
	if (pread(fd, &eh, sizeof eh, 0) != sizeof eh ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64) {
		why = program + " is not a 64-bit ELF program (a script? run "
				"its interpreter: ckpt run -- python3 "
				"script.py)";
	} else if (eh.e_machine != CKPT_ELF_MACHINE) {
		why = program + " is for another architecture than this ckpt";
	} else {
		bool interp = false;
		for (int i = 0; i < eh.e_phnum && !interp; i++) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof ph,
				  eh.e_phoff + i * sizeof ph) != sizeof ph)
				break;
			interp = ph.p_type == PT_INTERP;
		}
		if (!interp)
			why = program + " is statically linked: LD_PRELOAD "
					"cannot load the runtime into it; link "
					"runtime.o into it instead";
	}
	close(fd);
	return why;
}

std::string absolute(const std::string &path, const std::string &cwd)
{
	return path.empty() || path[0] == '/' ? path : cwd + "/" + path;
}

// CKPT_FILES's rules, as the runtime reads them (runtime/written.cc):
// POLICY or POLICY:PATTERN, comma-separated, the pattern not empty.
bool valid_file_rules(const std::string &rules)
{
	size_t at = 0;
	while (at <= rules.size()) {
		size_t end = rules.find(',', at);
		if (end == std::string::npos)
			end = rules.size();
		std::string rule = rules.substr(at, end - at);
		size_t colon = rule.find(':');
		std::string policy = rule.substr(0, colon);
		if ((policy != "keep" && policy != "truncate" &&
		     policy != "snapshot") ||
		    (colon != std::string::npos && colon + 1 == rule.size()))
			return false;
		at = end + 1;
	}
	return true;
}

int run(int argc, char **argv)
{
	std::string image, sig, interval, files, full_every;
	bool fork = false, children = false, incremental = false;
	int i = 0;
	for (; i < argc; i++) {
		const char *a = argv[i];
		auto value = [&](std::string &to) {
			if (i + 1 >= argc)
				usage_error("%s needs a value", a);
			to = argv[++i];
		};
		if (is_help(a)) {
			fputs(run_help, stdout);
			return 0;
		} else if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "--image")) {
			value(image);
		} else if (!strcmp(a, "--signal")) {
			value(sig);
			if (!ckpt::signal_number(sig.data(), sig.size()))
				usage_error("run: not a usable signal: %s",
					    sig.c_str());
		} else if (!strcmp(a, "--interval")) {
			value(interval);
		} else if (!strcmp(a, "--fork")) {
			fork = true;
		} else if (!strcmp(a, "--children")) {
			children = true;
		} else if (!strcmp(a, "--files")) {
			value(files);
			if (!valid_file_rules(files))
				usage_error("run: --files %s: not a list of "
					    "keep, truncate or "
					    "snapshot[:PATTERN]",
					    files.c_str());
		} else if (!strcmp(a, "--incremental")) {
			incremental = true;
		} else if (!strcmp(a, "--full-every")) {
			value(full_every);
		} else if (a[0] == '-') {
			usage_error("run: unknown option %s", a);
		} else {
			break;
		}
	}
	if (i >= argc)
		usage_error("run: no program given");
	std::string program = find_program(argv[i]);
	if (std::string why = unpreloadable(program); !why.empty())
		fail(why);
	std::string lib = own_dir() + "/libckpt.so";
	if (access(lib.c_str(), R_OK) < 0)
		fail(lib + ": " + strerror(errno));
	const char *old = getenv("LD_PRELOAD");
	std::string preload = old && *old ? lib + ":" + old : lib;
	setenv("LD_PRELOAD", preload.c_str(), 1);
	char cwd[PATH_MAX];
	if (!image.empty() && getcwd(cwd, sizeof cwd))
		image = absolute(image, cwd);
	if (!image.empty())
		setenv("CKPT_IMAGE", image.c_str(), 1);
	if (!sig.empty())
		setenv("CKPT_SIGNAL", sig.c_str(), 1);
	if (!interval.empty())
		setenv("CKPT_INTERVAL", interval.c_str(), 1);
	if (fork)
		setenv("CKPT_FORK", "1", 1);
	if (children)
		setenv("CKPT_CHILDREN", "1", 1);
	if (!files.empty())
		setenv("CKPT_FILES", files.c_str(), 1);
	if (incremental)
		setenv("CKPT_INCREMENTAL", "1", 1);
	if (!full_every.empty())
		setenv("CKPT_FULL_EVERY", full_every.c_str(), 1);
	execv(program.c_str(), argv + i);
	fail(program + ": " + strerror(errno));
}

// A whole small file, or false.
bool read_small(const std::string &path, std::string &out)
{
	FILE *f = fopen(path.c_str(), "re");
	if (!f)
		return false;
	char buf[65536];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	out.assign(buf, n);
	return true;
}

// The value of NAME in a NUL-separated environment block, or nullptr.
const char *env_value(const std::string &env, const char *name)
{
	size_t len = strlen(name);
	for (size_t at = 0; at < env.size(); at += strlen(&env[at]) + 1) {
		if (!env.compare(at, len, name) && env[at + len] == '=')
			return &env[at + len + 1];
	}
	return nullptr;
}

// Whether two paths name one file.
bool same_file(const std::string &a, const std::string &b)
{
	struct stat sa, sb;
	return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// Whether process pid has the runtime: libckpt.so mapped, or its program
// carries the runtime's note (runtime.o linked in), or it is a process
// this ckpt's restorer restored (its program is the restorer then).
bool has_runtime(const std::string &proc)
{
	std::string maps;
	if (read_small(proc + "/maps", maps) &&
	    maps.find("/libckpt.so") != std::string::npos)
		return true;
	if (same_file(proc + "/exe", own_dir() + "/restorer"))
		return true;
	int fd = open((proc + "/exe").c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	Elf64_Ehdr eh;
	bool found = false;
	if (pread(fd, &eh, sizeof eh, 0) == sizeof eh &&
	    !memcmp(eh.e_ident, ELFMAG, SELFMAG) && eh.e_shnum &&
	    eh.e_shstrndx < eh.e_shnum) {
		std::vector<Elf64_Shdr> sh(eh.e_shnum);
		size_t len = sh.size() * sizeof sh[0];
		if (pread(fd, sh.data(), len, eh.e_shoff) == (ssize_t)len) {
			const Elf64_Shdr &names = sh[eh.e_shstrndx];
			std::string strs(names.sh_size, 0);
			if (pread(fd, strs.data(), strs.size(),
				  names.sh_offset) == (ssize_t)strs.size()) {
				for (const auto &s : sh) {
					if (s.sh_name < strs.size() &&
					    !strcmp(&strs[s.sh_name],
						    ".note.ckpt.runtime"))
						found = true;
				}
			}
		}
	}
	close(fd);
	return found;
}

// The image path process pid writes to, as its runtime computes it.
std::string image_of(const std::string &proc)
{
	std::string env, cmdline;
	char cwd[PATH_MAX];
	ssize_t n = readlink((proc + "/cwd").c_str(), cwd, sizeof cwd - 1);
	if (n <= 0)
		fail(proc + "/cwd: " + strerror(errno));
	cwd[n] = 0;
	if (!read_small(proc + "/environ", env))
		fail(proc + "/environ: " + strerror(errno));
	if (const char *image = env_value(env, "CKPT_IMAGE"); image && *image)
		return absolute(image, cwd);
	std::string name = "app";
	if (read_small(proc + "/cmdline", cmdline) && !cmdline.empty() &&
	    cmdline[0]) {
		name = cmdline.c_str();
		size_t slash = name.rfind('/');
		if (slash != std::string::npos && slash + 1 < name.size())
			name = name.substr(slash + 1);
	}
	return absolute(name + ".ckpt", cwd);
}

ino_t inode_of(const std::string &path)
{
	struct stat st;
	return stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

double now()
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int checkpoint(int argc, char **argv)
{
	bool wait = true;
	double timeout = 600;
	const char *pid_arg = nullptr;
	for (int i = 0; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(checkpoint_help, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--no-wait")) {
			wait = false;
		} else if (!strcmp(argv[i], "--wait")) {
			wait = true;
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			char *end;
			timeout = strtod(argv[++i], &end);
			if (*end || timeout < 0)
				usage_error("checkpoint: bad timeout %s",
					    argv[i]);
		} else if (argv[i][0] == '-' || pid_arg) {
			usage_error("checkpoint: unexpected %s", argv[i]);
		} else {
			pid_arg = argv[i];
		}
	}
	char *end;
	long pid = pid_arg ? strtol(pid_arg, &end, 10) : 0;
	if (!pid_arg || *end || pid <= 0)
		usage_error("checkpoint: give the PID of a process");
	const std::string proc = "/proc/" + std::to_string(pid);
	if (access(proc.c_str(), F_OK) < 0)
		fail("no process " + std::to_string(pid));
	if (!has_runtime(proc))
		fail("process " + std::to_string(pid) +
		     " has no ckpt runtime (start it with ckpt run, or link "
		     "runtime.o into it)");
	std::string env;
	read_small(proc + "/environ", env);
	const char *sig_name = env_value(env, "CKPT_SIGNAL");
	int sig = sig_name ? ckpt::signal_number(sig_name, strlen(sig_name)) : SIGUSR2;
	if (!sig)
		sig = SIGUSR2; // the runtime ignores a bad CKPT_SIGNAL too
	const std::string image = image_of(proc);
	const std::string status = image + ".status";
	const ino_t before = inode_of(status);
	// Tagged as a request: a process that handles the signal itself
	// still takes the checkpoint (runtime/ckpt.h, CKPT_REQUEST).
	union sigval request;
	request.sival_ptr = (void *)(uintptr_t)CKPT_REQUEST;
	if (sigqueue((pid_t)pid, sig, request) < 0)
		fail("cannot signal process " + std::to_string(pid) + ": " +
		     strerror(errno));
	if (!wait)
		return 0;
	// A new record from that process: the runtime renames a new file
	// over the old one, so its inode changes.
	const std::string self = "pid " + std::to_string(pid) + "\n";
	for (double start = now(); !timeout || now() - start < timeout;) {
		std::string record;
		if (inode_of(status) != before && read_small(status, record) &&
		    !record.compare(0, self.size(), self)) {
			size_t r = record.find("result ");
			long result = r == std::string::npos
					      ? -EIO
					      : strtol(&record[r + 7], nullptr,
						       10);
			if (result == 0) {
				printf("%s\n", image.c_str());
				return 0;
			}
			size_t why = record.find("reason ");
			std::string reason =
				why == std::string::npos
					? strerror((int)-result)
					: record.substr(why + 7);
			while (!reason.empty() && reason.back() == '\n')
				reason.pop_back();
			fail("checkpoint of process " + std::to_string(pid) +
			     " to " + image + " failed: " + reason);
		}
		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			fail("process " + std::to_string(pid) +
			     " ended before its checkpoint did");
		struct timespec tick = {0, 10 * 1000 * 1000};
		nanosleep(&tick, nullptr);
	}
	fail("no outcome from process " + std::to_string(pid) + " within " +
	     std::to_string((long)timeout) + " s (" + status +
	     " unchanged: the process may block the signal, or its stderr "
	     "may say why)");
}

[[noreturn]] void exec_restorer(std::vector<const char *> args)
{
	std::string restorer = own_dir() + "/restorer";
	args.insert(args.begin(), restorer.c_str());
	args.push_back(nullptr);
	execv(restorer.c_str(), const_cast<char **>(args.data()));
	fail(restorer + ": " + strerror(errno));
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 2)
		usage_error("no command given");
	const char *cmd = argv[1];
	if (is_help(cmd)) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return run(argc - 2, argv + 2);
	if (!strcmp(cmd, "checkpoint"))
		return checkpoint(argc - 2, argv + 2);
	if (!strcmp(cmd, "restore") || !strcmp(cmd, "info")) {
		std::vector<const char *> args;
		for (int i = 2; i < argc; i++) {
			if (is_help(argv[i])) {
				fputs(cmd[0] == 'r' ? restore_help : info_help,
				      stdout);
				return 0;
			}
			args.push_back(argv[i]);
		}
		if (args.empty())
			usage_error("%s: no image given", cmd);
		if (cmd[0] == 'i')
			args.insert(args.begin(), "--info");
		exec_restorer(args);
	}
	if (!strcmp(cmd, "merge")) {
		if (argc > 2 && is_help(argv[2])) {
			fputs(merge_help, stdout);
			return 0;
		}
		if (argc != 4)
			usage_error("merge: give IMAGE and OUT");
		exec_restorer({"--merge", argv[3], "--", argv[2]});
	}
	usage_error("unknown command %s", cmd);
}

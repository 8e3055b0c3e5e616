/* mew-agent: the guest's init (PID 1 in the initramfs mew builds).  It
 * mounts the shared rootfs (virtio-9p, tag mewroot), /proc, /sys and /dev in
 * it, runs the command mew put on the kernel command line (mew.run=, hex of
 * argc, argv, envc, env, cwd, uid, gid) with stdin, stdout and stderr on
 * their own vsock streams to the host (the console, a terminal, where the
 * host refuses them: mew run -t), reports the exit status over vsock (mew's
 * exit port if that fails), and resets the machine.  The protocol is in
 * src/vm/agent.h.  mew itself, when the initramfs carries it, is at
 * /run/mew-guest/mew for the command, with cgroup2 at /sys/fs/cgroup: mew's
 * container engine runs inside the guest.  Static, libc only. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <linux/random.h>
#include <linux/vm_sockets.h>
#include <time.h>

#include "../../agent.h"

#define EXIT_PORT 0xf4
#define SHARE_TAG "mewroot"
#define VOLUME_TAG "mewvol" /* vm/volume.h */

static void say(const char *fmt, const char *a)
{
	fprintf(stderr, "mew-agent: ");
	fprintf(stderr, fmt, a);
	fprintf(stderr, "\n");
}

static int status_fd = -1;

/* A stream to the host's port, or -1 when the host refuses it. */
static int host_connect(unsigned port)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_HOST, .svm_port = port };
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void __attribute__((noreturn)) finish(int status)
{
	char line[8], rec[32];
	int n = snprintf(line, sizeof(line), "%d\n", status & 0xff), fd;

	/* Everything written reaches the disk before mew hears the status:
	 * mew ends the VM as soon as it does. */
	sync();
	if (status_fd >= 0 && write(status_fd, line, (size_t)n) == n)
		for (;;)
			pause();
	/* Else the status as a record on ttyS0, which the kernel itself writes
	 * to the UART: it needs no port access from user mode, which a guest
	 * kernel built without CONFIG_X86_IOPL_IOPERM (mew's) refuses, and which
	 * a software-executing /dev/kvm (kvm-pvm) does not give its guest's user
	 * mode.  mew's serial model takes the first record it sees. */
	n = snprintf(rec, sizeof(rec), "\033_mew-status=%d\033\\", status & 0xff);
	fd = open("/dev/ttyS0", O_WRONLY | O_NOCTTY);
	if (fd >= 0) {
		if (write(fd, rec, (size_t)n) == n)
			tcdrain(fd);
		close(fd);
	}
	if (ioperm(EXIT_PORT, 1, 1) == 0)
		outb((unsigned char)status, EXIT_PORT);
	reboot(RB_AUTOBOOT); /* reboot=k: the i8042 reset mew sees as the end */
	for (;;)
		pause();
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The run description: NUL-separated fields decoded from hex. */
static char *fields[1100];
static int nfields;

static char root_dev[32]; /* mew.root=vda: the root is that disk, not the 9p share */
static int ready_mode;	  /* mew.ready: the run comes over vsock after the ready record */

static void split_fields(char *start, char *end)
{
	for (char *f = start; f < end && nfields < 1100; f += strlen(f) + 1)
		fields[nfields++] = f;
}

static int parse_cmdline(void)
{
	static char cl[16384];
	int fd = open("/proc/cmdline", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, cl, sizeof(cl) - 1) : -1;
	char *p, *out, *start;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	cl[n] = '\0';
	p = strstr(cl, "mew.root=");
	if (p != NULL)
		snprintf(root_dev, sizeof(root_dev), "/dev/%.*s", (int)strcspn(p + 9, " \n"), p + 9);
	if (strstr(cl, " mew.ready") != NULL)
		return ready_mode = 1, 0;
	p = strstr(cl, "mew.run=");
	if (p == NULL)
		return -1;
	p += 8;
	out = start = p; /* decode in place: the output is never longer */
	while (hexval(p[0]) >= 0 && hexval(p[1]) >= 0) {
		*out++ = (char)(hexval(p[0]) << 4 | hexval(p[1]));
		p += 2;
	}
	*out = '\0';
	split_fields(start, out);
	return 0;
}

/* The snapshot point: say so on ttyS0 and wait until it has left (mew
 * pauses the VM on its last byte, and a restored VM goes on from here),
 * then take the run from the host.  Nothing of the rootfs or the volumes
 * is mounted yet: one snapshot serves every run. */
static int wait_for_run(void)
{
	static char run[65536 + 1];
	static const char rec[] = "\033_mew-ready\033\\";
	size_t n = 0;
	ssize_t k;
	int fd = open("/dev/ttyS0", O_WRONLY | O_NOCTTY);

	if (fd < 0 || write(fd, rec, sizeof(rec) - 1) != (ssize_t)sizeof(rec) - 1)
		return -1;
	tcdrain(fd);
	close(fd);
	fd = host_connect(AGENT_PORT_RUN);
	if (fd < 0)
		return -1;
	while (n < sizeof(run) - 1 && (k = read(fd, run + n, sizeof(run) - 1 - n)) > 0)
		n += (size_t)k;
	close(fd);
	run[n] = '\0';
	split_fields(run, run + n);
	return 0;
}

static int hexbyte(const char *p)
{
	return hexval(p[0]) < 0 || hexval(p[1]) < 0 ? -1 : hexval(p[0]) << 4 | hexval(p[1]);
}

/* The host's clock, and its seed mixed into the RNG and a reseed forced:
 * after a restore the guest would otherwise go on with the snapshot's. */
static void refresh(const char *sec, const char *nsec, const char *seed)
{
	struct timespec ts = { .tv_sec = (time_t)strtoll(sec, NULL, 10), .tv_nsec = strtol(nsec, NULL, 10) };
	struct {
		int entropy_count, buf_size;
		unsigned char buf[32];
	} e = { 256, 32, { 0 } };
	int fd;

	if (ts.tv_sec > 0 && clock_settime(CLOCK_REALTIME, &ts) < 0)
		say("%s", "cannot set the clock");
	for (int i = 0; i < 32 && strlen(seed) >= 64; i++)
		e.buf[i] = (unsigned char)hexbyte(seed + 2 * i);
	fd = open("/dev/urandom", O_WRONLY);
	if (fd < 0 || ioctl(fd, RNDADDENTROPY, &e) < 0 || ioctl(fd, RNDRESEEDCRNG) < 0)
		say("%s", "cannot reseed the RNG");
	if (fd >= 0)
		close(fd);
}

static void mount_or_say(const char *src, const char *dst, const char *type, unsigned long flags, const char *data)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, flags, data) < 0)
		say("mount %s failed", dst);
}

/* mkdir -p dst (a file for a file's volume), where mew could not make it in
 * the rootfs: under the guest's own /tmp and /run. */
static void make_mount_point(const char *src, char *dst)
{
	struct stat st;
	int fd;

	if (lstat(dst, &st) == 0)
		return;
	for (char *p = dst + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dst, 0755);
		*p = '/';
	}
	if (stat(src, &st) == 0 && !S_ISDIR(st.st_mode)) {
		fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
	} else {
		mkdir(dst, 0755);
	}
}

/* An interface up, with an IPv4 address and a default route through gw
 * when addr is given (--net user: passt's user-mode network). */
static void net_up(const char *ifname, const char *addr, int prefix, const char *gw)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (addr != NULL) {
		sin->sin_family = AF_INET;
		if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1 || ioctl(s, SIOCSIFADDR, &ifr) < 0)
			say("cannot give %s its address", ifname);
		sin->sin_addr.s_addr = htonl(prefix <= 0 ? 0 : ~0u << (32 - prefix));
		if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0)
			say("cannot set %s's netmask", ifname);
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			say("cannot bring %s up", ifname);
	} else {
		say("no %s in the guest", ifname);
	}
	if (gw != NULL) {
		struct rtentry rt;
		memset(&rt, 0, sizeof(rt));
		((struct sockaddr_in *)&rt.rt_dst)->sin_family = AF_INET;
		((struct sockaddr_in *)&rt.rt_genmask)->sin_family = AF_INET;
		((struct sockaddr_in *)&rt.rt_gateway)->sin_family = AF_INET;
		if (inet_pton(AF_INET, gw, &((struct sockaddr_in *)&rt.rt_gateway)->sin_addr) != 1)
			return (void)close(s);
		rt.rt_flags = RTF_UP | RTF_GATEWAY;
		if (ioctl(s, SIOCADDRT, &rt) < 0)
			say("cannot route through %s", gw);
	}
	close(s);
}

int main(void)
{
	char **argv, **envp;
	int argc, envc, i = 0, status;
	const char *cwd, *hostname;
	int root_ro, nvol;
	char **vol_dest;
	int *vol_ro;
	uid_t uid;
	gid_t gid;
	pid_t pid;

	mount_or_say("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount_or_say("proc", "/proc", "proc", 0, NULL);
	int con = open("/dev/console", O_RDWR);
	if (con >= 0) {
		dup2(con, 1);
		dup2(con, 2);
	}
	if (parse_cmdline() < 0 || (ready_mode && wait_for_run() < 0) || nfields < 5) {
		say("%s", ready_mode ? "no run from the host" : "no mew.run= on the kernel command line");
		finish(125);
	}
	argc = atoi(fields[i++]);
	if (argc < 1 || argc + 4 > nfields)
		finish(125);
	argv = &fields[i];
	i += argc;
	envc = atoi(fields[i]);
	fields[i++] = NULL; /* terminates argv */
	if (envc < 0 || i + envc + 3 > nfields)
		finish(125);
	envp = calloc((size_t)envc + 1, sizeof(char *));
	for (int k = 0; k < envc; k++)
		envp[k] = fields[i++];
	cwd = fields[i++];
	uid = (uid_t)strtoul(fields[i++], NULL, 10);
	gid = (gid_t)strtoul(fields[i++], NULL, 10);
	if (i + 3 > nfields)
		finish(125);
	hostname = fields[i++];
	root_ro = atoi(fields[i++]);
	nvol = atoi(fields[i++]);
	if (nvol < 0 || i + 2 * nvol > nfields)
		finish(125);
	vol_dest = calloc((size_t)nvol + 1, sizeof(char *));
	vol_ro = calloc((size_t)nvol + 1, sizeof(int));
	for (int k = 0; k < nvol; k++) {
		vol_dest[k] = fields[i++];
		vol_ro[k] = atoi(fields[i++]);
	}
	if (i + 6 > nfields)
		finish(125);
	refresh(fields[i], fields[i + 1], fields[i + 2]);
	i += 3;
	net_up("lo", NULL, 0, NULL);
	if (fields[i][0] != '\0')
		net_up("eth0", fields[i], atoi(fields[i + 1]), fields[i + 2]);
	if (sethostname(hostname, strlen(hostname)) < 0)
		say("sethostname `%s` failed", hostname);

	/* The shared rootfs (or mew's ext4 image of it) becomes /. */
	if (root_dev[0] != '\0') {
		/* a read-only disk (mew run --read-only) mounts read-only */
		if (mount(root_dev, "/root", "ext4", 0, NULL) < 0)
			mount_or_say(root_dev, "/root", "ext4", MS_RDONLY, NULL);
	} else
		mount_or_say(SHARE_TAG, "/root", "9p", root_ro ? MS_RDONLY : 0,
			     "trans=virtio,version=9p2000.L,msize=131072,cache=loose");
	mount_or_say("proc", "/root/proc", "proc", 0, NULL);
	mount_or_say("sysfs", "/root/sys", "sysfs", 0, NULL);
	mount_or_say("devtmpfs", "/root/dev", "devtmpfs", 0, NULL);
	mount_or_say("devpts", "/root/dev/pts", "devpts", 0, "newinstance,ptmxmode=0666");
	mount_or_say("tmpfs", "/root/tmp", "tmpfs", 0, NULL);
	mount_or_say("tmpfs", "/root/run", "tmpfs", 0, NULL);
	/* mew itself (statically linked, in the initramfs when it was built),
	 * for the command: mew's container engine runs inside the guest, on the
	 * guest kernel's namespaces and cgroups. */
	if (access("/mew/mew", X_OK) == 0) {
		mkdir("/root/run/mew-guest", 0755);
		if (mount("/mew", "/root/run/mew-guest", NULL, MS_BIND, NULL) < 0)
			say("%s", "cannot show mew to the command at /run/mew-guest");
	}
	mount_or_say("cgroup2", "/root/sys/fs/cgroup", "cgroup2", 0, NULL);
	/* The volumes: one 9p mount whose entry "i" is volume i, bound at each
	 * destination (mew made the mount points); read-only ones are read-only
	 * in the host's 9p server too.  Uncached: the host may change them. */
	if (nvol > 0) {
		char src[32], dst[4096];
		mkdir("/vol", 0755);
		if (mount(VOLUME_TAG, "/vol", "9p", 0, "trans=virtio,version=9p2000.L,msize=131072") < 0) {
			say("%s", "cannot mount the volumes (9p)");
			finish(125);
		}
		for (int k = 0; k < nvol; k++) {
			snprintf(src, sizeof(src), "/vol/%d", k);
			snprintf(dst, sizeof(dst), "/root%s", vol_dest[k]);
			make_mount_point(src, dst);
			if (mount(src, dst, NULL, MS_BIND, NULL) < 0 ||
			    (vol_ro[k] && mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)) {
				fprintf(stderr, "mew-agent: volume at `%s`: %s\n", vol_dest[k], strerror(errno));
				finish(125);
			}
		}
		umount2("/vol", MNT_DETACH);
	}
	if (chdir("/root") < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 || chdir("/") < 0) {
		say("%s", "cannot switch to the shared rootfs");
		finish(125);
	}

	/* The command's stdio: vsock streams where the host serves them. */
	int io[3] = { host_connect(AGENT_PORT_STDIN), host_connect(AGENT_PORT_STDOUT), host_connect(AGENT_PORT_STDERR) };
	status_fd = host_connect(AGENT_PORT_STATUS);

	pid = fork();
	if (pid == 0) {
		int con = open("/dev/hvc0", O_RDWR);
		if (con < 0)
			con = open("/dev/console", O_RDWR);
		/* No stdin stream: the console when it is the command's terminal
		 * (no stdout stream either), else nothing. */
		if (io[0] < 0)
			io[0] = io[1] < 0 ? con : open("/dev/null", O_RDONLY);
		for (int k = 0; k < 3; k++) {
			int fd = io[k] >= 0 ? io[k] : con;
			if (fd >= 0)
				dup2(fd, k);
		}
		for (int fd = 3; fd < 64; fd++)
			close(fd);
		setsid();
		if (io[1] < 0)
			ioctl(0, TIOCSCTTY, 0);
		if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
			perror("mew-agent: set user");
			_exit(125);
		}
		if (chdir(cwd) < 0) {
			fprintf(stderr, "mew-agent: chdir `%s`: %s\n", cwd, strerror(errno));
			_exit(125);
		}
		for (int k = 0; envp[k] != NULL; k++)
			if (strncmp(envp[k], "PATH=", 5) == 0)
				setenv("PATH", envp[k] + 5, 1);
		execvpe(argv[0], argv, envp);
		fprintf(stderr, "mew: exec `%s`: %s\n", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	if (pid < 0)
		finish(125);
	/* Only the command holds its output streams: they close when it exits. */
	for (int k = 0; k < 3; k++)
		if (io[k] >= 0)
			close(io[k]);
	/* PID 1 reaps every orphan; the command's own status is the answer. */
	for (;;) {
		pid_t w = wait(&status);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			finish(125);
	}
	finish(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

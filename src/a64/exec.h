/* The hidden `mew __a64-exec` command: a guest's execve lands here; and
 * mew-aarch64, the binfmt_misc interpreter of arm64 programs. */
#ifndef MEW_A64_EXEC_H
#define MEW_A64_EXEC_H

int a64_exec_main(int argc, char **argv);
int a64_binfmt_main(int argc, char **argv);

#endif

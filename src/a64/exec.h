/* The hidden `mew __a64-exec` command: a guest's execve lands here. */
#ifndef MEW_A64_EXEC_H
#define MEW_A64_EXEC_H

int a64_exec_main(int argc, char **argv);

#endif

/* One function per subcommand; main.c dispatches on the first argument. */
#ifndef MEW_CLI_CLI_H
#define MEW_CLI_CLI_H

int cmd_run(int argc, char **argv);
int cmd_engines(int argc, char **argv);
int cmd_rootfs(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_binfmt(int argc, char **argv);
int cmd_images(int argc, char **argv);

#endif

/* Foreground runs with process.terminal and no --console-socket (`husk oci run` typed
 * by a person): husk-core receives the pty master itself and relays it to its own
 * stdio, with the caller's terminal in raw mode and window size changes passed on. */
#ifndef HUSK_CONSOLE_RELAY_H
#define HUSK_CONSOLE_RELAY_H
#include <sys/types.h>
#include "error.h"
/* Receive the pty master sent by the child over `sock` (SCM_RIGHTS). */
int husk_console_recv_master(int sock, husk_error_t *err);
/* Relay until `pid` exits; returns its wait status in *status. */
int husk_console_relay(int master, pid_t pid, int *status, husk_error_t *err);
#endif

/*
 * The pod sandbox ("pause") process of localhost/travel-app/pause: holds the pod's
 * namespaces open and does nothing else. As PID 1 of the pod it reaps orphaned
 * children (SIGCHLD) and exits 0 on SIGINT/SIGTERM. Built static by scripts/images.sh
 * (gcc -static -Os), run FROM scratch. Same behaviour as Kubernetes' build/pause/linux/pause.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define VERSION "3.10-travel-app"

static void sigdown(int signo) {
    psignal(signo, "Shutting down, got signal");
    exit(0);
}

static void sigreap(int signo) {
    (void)signo;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "-v") == 0) {
            printf("pause.c %s\n", VERSION);
            return 0;
        }
    }
    if (getpid() != 1) {
        fprintf(stderr, "Warning: pause should be the first process\n");
    }
    struct sigaction down = {.sa_handler = sigdown};
    struct sigaction reap = {.sa_handler = sigreap, .sa_flags = SA_NOCLDSTOP};
    if (sigaction(SIGINT, &down, NULL) < 0 || sigaction(SIGTERM, &down, NULL) < 0) {
        return 1;
    }
    if (sigaction(SIGCHLD, &reap, NULL) < 0) {
        return 2;
    }
    for (;;) {
        pause();
    }
    fprintf(stderr, "Error: infinite loop terminated\n");
    return 42;
}

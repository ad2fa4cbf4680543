/* Minimal TAP producer for the C unit tests (exit 77 = skip, as automake does). */
#ifndef HUSK_TAP_H
#define HUSK_TAP_H
#include <stdio.h>
#include <string.h>
static int tap_n = 0, tap_failed = 0;
#define ok(cond, ...)                                   \
  do {                                                  \
    tap_n++;                                            \
    if (cond) printf("ok %d - ", tap_n);                \
    else { printf("not ok %d - ", tap_n); tap_failed++; } \
    printf(__VA_ARGS__);                                \
    printf("\n");                                       \
  } while (0)
#define is_str(a, b, ...) ok(strcmp((a), (b)) == 0, __VA_ARGS__)
#define done_testing() (printf("1..%d\n", tap_n), tap_failed ? 1 : 0)
#endif

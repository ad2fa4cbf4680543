/* The engine's event log, written by the monitor for what happens with no CLI around
 * (die, oom, restart, start after a policy restart). Same file and line shape as
 * src/engine/events.ts: one JSON object per line, appended with O_APPEND in a single
 * write(2), so lines from several monitors and CLIs never interleave. */
#ifndef HUSK_MONITOR_EVENTS_H
#define HUSK_MONITOR_EVENTS_H

#include <stddef.h>
#include <stdint.h>

struct husk_event_sink {
  const char *file;  /* <root>/engine/events/events.jsonl, NULL = no events */
  const char *id;    /* the container id */
  const char *attrs; /* JSON object members without braces ("name":"x","image":"y"), may be "" */
};

/* Format one line into buf; extra is more members ("exitCode":"3") or "". Returns the
 * length, or 0 when it does not fit (the event is then dropped, never cut). */
size_t husk_event_format(char *buf, size_t cap, uint64_t time_ns, const char *action, const struct husk_event_sink *sink, const char *extra);
/* Append one event; errors are ignored (an event never fails the container). */
void husk_event_emit(const struct husk_event_sink *sink, const char *action, const char *extra);

#endif

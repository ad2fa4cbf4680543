#include <string.h>

#include "stage.h"
#include "tap.h"

int main(void) {
  int all_named = 1;
  for (int s = 0; s < ST_COUNT; s++)
    if (strcmp(husk_stage_name(s), "unknown") == 0) all_named = 0;
  ok(all_named, "every stage has a name");
  is_str(husk_stage_name(ST_PIVOT), "pivot-root", "pivot stage name");
  is_str(husk_stage_name(-1), "unknown", "out of range below");
  is_str(husk_stage_name(ST_COUNT), "unknown", "out of range above");
  return done_testing();
}

/* Definitions for CHwloc.h. _GNU_SOURCE is also set by Package.swift; it is
 * repeated here so this file stays correct when compiled on its own. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>

#include "CHwloc.h"

int dagrun_sched_getcpu(void) {
    return sched_getcpu();
}

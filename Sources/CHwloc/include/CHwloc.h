/*
 * CHwloc: the C side of dagrun's DagTopology module.
 *
 * Swift imports hwloc's functions, enums and static inline helpers
 * (hwloc/helper.h) directly from <hwloc.h>. This header adds only what
 * Swift cannot reach on its own: GNU extensions that Glibc declares only
 * under _GNU_SOURCE, which Swift's Glibc module is built without. Each one
 * becomes a `dagrun_`-prefixed function defined in shim.c.
 *
 * Only DagTopology imports this module; no hwloc type leaves it.
 */
#ifndef DAGRUN_CHWLOC_H
#define DAGRUN_CHWLOC_H

#include <hwloc.h>

/* The CPU (OS index, as in hwloc's PU P#) the calling thread is running on
 * right now, from glibc's sched_getcpu(3); -1 with errno set on failure. */
int dagrun_sched_getcpu(void);

#endif /* DAGRUN_CHWLOC_H */

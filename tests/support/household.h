/*
 * household.h: a small household for tests. Devices come from fixed seeds
 * (so failures reproduce), and the roster is built through the public API:
 *   owner   admin, all cameras            member  member, camera "front"
 *   hub     hub, cameras "front","back"   back    member, camera "back"
 *   outsider  not in the roster
 */
#ifndef PORCH_TEST_HOUSEHOLD_H
#define PORCH_TEST_HOUSEHOLD_H

#include "porchlight/roster.h"

struct household {
    porch_device_secret *owner, *member, *hub, *back, *outsider;
    porch_roster *roster;
};

/* Seed byte s gives a device whose keys are derived from (s, s+100). */
porch_device_secret *test_device(const char *name, unsigned char s);
porch_scope test_scope(const char *camera_a, const char *camera_b);
void household_init(struct household *h);
void household_free(struct household *h);

#endif

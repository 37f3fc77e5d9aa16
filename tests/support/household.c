/* household.c: see household.h. Test support: aborts on setup failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/identity_internal.h"
#include "household.h"
#include "porchlight/error.h"

porch_device_secret *test_device(const char *name, unsigned char s)
{
    unsigned char a[32], b[32];
    porch_device_secret *d = NULL;
    memset(a, s, sizeof a);
    memset(b, (unsigned char)(s + 100), sizeof b);
    if (porch__device_from_seeds(&d, name, a, b) != PORCH_OK) {
        fprintf(stderr, "test_device(%s) failed\n", name);
        exit(1);
    }
    return d;
}

porch_scope test_scope(const char *camera_a, const char *camera_b)
{
    porch_scope s;
    memset(&s, 0, sizeof s);
    if (!camera_a) {
        s.all_cameras = 1;
        return s;
    }
    snprintf(s.cameras[s.n_cameras++], sizeof s.cameras[0], "%s", camera_a);
    if (camera_b)
        snprintf(s.cameras[s.n_cameras++], sizeof s.cameras[0], "%s", camera_b);
    return s;
}

void household_init(struct household *h)
{
    porch_scope front = test_scope("front", NULL), back = test_scope("back", NULL);
    porch_scope both = test_scope("front", "back");

    if (porch_init() != PORCH_OK)
        exit(1);
    h->owner = test_device("owner", 1);
    h->member = test_device("member", 2);
    h->hub = test_device("hub", 3);
    h->back = test_device("back-member", 4);
    h->outsider = test_device("outsider", 5);
    if (porch_roster_create(&h->roster, h->owner, 1000) != PORCH_OK ||
        porch_roster_add(h->roster, h->owner, porch_device_public_of(h->member),
                         PORCH_ROLE_MEMBER, &front, 1001) != PORCH_OK ||
        porch_roster_add(h->roster, h->owner, porch_device_public_of(h->hub), PORCH_ROLE_HUB,
                         &both, 1002) != PORCH_OK ||
        porch_roster_add(h->roster, h->owner, porch_device_public_of(h->back),
                         PORCH_ROLE_MEMBER, &back, 1003) != PORCH_OK) {
        fprintf(stderr, "household_init: roster setup failed\n");
        exit(1);
    }
}

void household_free(struct household *h)
{
    porch_device_free(h->owner);
    porch_device_free(h->member);
    porch_device_free(h->hub);
    porch_device_free(h->back);
    porch_device_free(h->outsider);
    porch_roster_free(h->roster);
    memset(h, 0, sizeof *h);
}

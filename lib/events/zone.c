/*
 * zone.c: zones for the event rules.
 *
 * A box is in a zone when its bottom-centre point is inside the polygon.
 * That is where a person's feet or a vehicle's wheels touch the ground, so
 * the test follows the object's position on the ground plane, which is what
 * owners draw zones around ("the driveway", "the porch"). Testing the whole
 * box instead would put a person walking on the pavement "in" a porch zone
 * drawn behind them, because their head and shoulders overlap it in the
 * image.
 */
#include "events/events_internal.h"
#include "motion/mask.h"

int porch__ev_in_zone(const porch_events_config *cfg, int zone, const porch_track *t)
{
    if (zone == PORCH_EVENTS_ZONE_ANY)
        return 1;
    return porch__poly_contains(&cfg->zones[zone].poly, 0.5f * (t->x0 + t->x1), t->y1);
}

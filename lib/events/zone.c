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
#include <math.h>

#include "events/events_internal.h"

int porch__ev_poly_valid(const porch_motion_polygon *p)
{
    if (p->nvertices < 3 || p->nvertices > PORCH_MOTION_MAX_VERTICES)
        return 0;
    for (int k = 0; k < p->nvertices; k++) {
        float x = p->v[k].x, y = p->v[k].y;
        if (!isfinite(x) || !isfinite(y) || x < 0 || x > 1 || y < 0 || y > 1)
            return 0;
    }
    return 1;
}

/* Even-odd rule, as the motion stage rasterises its zones. */
static int poly_contains(const porch_motion_polygon *p, float x, float y)
{
    int in = 0;

    for (int i = 0, j = p->nvertices - 1; i < p->nvertices; j = i++) {
        porch_motion_point a = p->v[i], b = p->v[j];
        if ((a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x)
            in = !in;
    }
    return in;
}

int porch__ev_in_zone(const porch_events_config *cfg, int zone, const porch_track *t)
{
    if (zone == PORCH_EVENTS_ZONE_ANY)
        return 1;
    return poly_contains(&cfg->zones[zone].poly, 0.5f * (t->x0 + t->x1), t->y1);
}

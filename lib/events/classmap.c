/*
 * classmap.c: which COCO-80 classes raise alerts, and as what.
 *
 * Only classes a household wants to be told about map to an alert class;
 * the rest (furniture, food, traffic lights, ...) are dropped before
 * tracking, so a chair never becomes a track, let alone an event. Trains,
 * boats and aeroplanes are left out on purpose: at a home camera they are
 * background, not visitors.
 */
#include "porchlight/clip_meta.h"
#include "porchlight/events.h"

int porch_events_class_of(int coco)
{
    switch (coco) {
    case 0:                 /* person */
        return PORCH_CLASS_PERSON;
    case 1:                 /* bicycle */
    case 2:                 /* car */
    case 3:                 /* motorcycle */
    case 5:                 /* bus */
    case 7:                 /* truck */
        return PORCH_CLASS_VEHICLE;
    case 14:                /* bird */
    case 15:                /* cat */
    case 16:                /* dog */
    case 17:                /* horse */
    case 18:                /* sheep */
    case 19:                /* cow */
    case 21:                /* bear */
        return PORCH_CLASS_ANIMAL;
    default:
        return 0;
    }
}
